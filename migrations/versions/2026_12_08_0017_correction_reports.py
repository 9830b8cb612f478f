"""Reports of wrong information on a product, producer or certificate, and the history of their handling.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08 02:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('correction_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('producer_id', sa.Integer(), nullable=True),
    sa.Column('certificate_id', sa.Integer(), nullable=True),
    sa.Column('province_id', sa.Integer(), nullable=True),
    sa.Column('field', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('details', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('evidence', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('evidence_url', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificate.id'],
                            name=op.f('fk_correction_report_certificate_id_certificate')),
    sa.ForeignKeyConstraint(['producer_id'], ['producer.id'], name=op.f('fk_correction_report_producer_id_producer')),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_correction_report_product_id_product')),
    sa.ForeignKeyConstraint(['province_id'], ['province.id'], name=op.f('fk_correction_report_province_id_province')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_correction_report'))
    )
    with op.batch_alter_table('correction_report', schema=None) as batch_op:
        for column in ('certificate_id', 'producer_id', 'product_id', 'province_id', 'state'):
            batch_op.create_index(batch_op.f(f'ix_correction_report_{column}'), [column], unique=False)
    op.create_table('correction_report_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('from_state', sa.String(length=16), nullable=False),
    sa.Column('to_state', sa.String(length=16), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['correction_report.id'],
                            name=op.f('fk_correction_report_event_report_id_correction_report')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_correction_report_event_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_correction_report_event'))
    )
    with op.batch_alter_table('correction_report_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_correction_report_event_report_id'), ['report_id'], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('correction_report_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_correction_report_event_report_id'))
    op.drop_table('correction_report_event')
    with op.batch_alter_table('correction_report', schema=None) as batch_op:
        for column in ('certificate_id', 'producer_id', 'product_id', 'province_id', 'state'):
            batch_op.drop_index(batch_op.f(f'ix_correction_report_{column}'))
    op.drop_table('correction_report')
