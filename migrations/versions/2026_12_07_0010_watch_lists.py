"""Watch lists: a buyer's certificates and products, the alerts ledger (sent once each).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 12:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('watch_list',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('feed_key', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_watch_list')),
    sa.UniqueConstraint('feed_key', name=op.f('uq_watch_list_feed_key'))
    )
    with op.batch_alter_table('watch_list', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_watch_list_created_at'), ['created_at'], unique=False)
    op.create_table('watch_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificate.id'],
                            name=op.f('fk_watch_item_certificate_id_certificate')),
    sa.ForeignKeyConstraint(['list_id'], ['watch_list.id'], name=op.f('fk_watch_item_list_id_watch_list')),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_watch_item_product_id_product')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_watch_item')),
    sa.UniqueConstraint('list_id', 'product_id', 'certificate_id',
                        name=op.f('uq_watch_item_list_id_product_id_certificate_id'))
    )
    with op.batch_alter_table('watch_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_watch_item_list_id'), ['list_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_watch_item_product_id'), ['product_id'], unique=False)
    op.create_table('watch_alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('mark', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('notified', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificate.id'],
                            name=op.f('fk_watch_alert_certificate_id_certificate')),
    sa.ForeignKeyConstraint(['list_id'], ['watch_list.id'], name=op.f('fk_watch_alert_list_id_watch_list')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_watch_alert')),
    sa.UniqueConstraint('list_id', 'certificate_id', 'kind', 'mark',
                        name=op.f('uq_watch_alert_list_id_certificate_id_kind_mark'))
    )
    with op.batch_alter_table('watch_alert', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_watch_alert_list_id'), ['list_id'], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('watch_alert', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_watch_alert_list_id'))
    op.drop_table('watch_alert')
    with op.batch_alter_table('watch_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_watch_item_product_id'))
        batch_op.drop_index(batch_op.f('ix_watch_item_list_id'))
    op.drop_table('watch_item')
    with op.batch_alter_table('watch_list', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_watch_list_created_at'))
    op.drop_table('watch_list')
