"""Applications to a call for entries: the dossier, its private files and its history of moves.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 21:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('application',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('producer_id', sa.Integer(), nullable=False),
    sa.Column('product_name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('group', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('self_scores', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['producer_account.id'], name=op.f('fk_application_account_id_producer_account')),
    sa.ForeignKeyConstraint(['call_id'], ['round_call.id'], name=op.f('fk_application_call_id_round_call')),
    sa.ForeignKeyConstraint(['producer_id'], ['producer.id'], name=op.f('fk_application_producer_id_producer')),
    sa.ForeignKeyConstraint(['round_id'], ['selection_round.id'], name=op.f('fk_application_round_id_selection_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application')),
    sa.UniqueConstraint('round_id', 'producer_id', name=op.f('uq_application_round_id_producer_id'))
    )
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_call_id'), ['call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_producer_id'), ['producer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_round_id'), ['round_id'], unique=False)

    op.create_table('application_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('from_state', sa.String(length=16), nullable=False),
    sa.Column('to_state', sa.String(length=16), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['producer_account.id'], name=op.f('fk_application_event_account_id_producer_account')),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_application_event_application_id_application')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_application_event_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_event'))
    )
    with op.batch_alter_table('application_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_event_application_id'), ['application_id'], unique=False)

    op.create_table('application_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('document_key', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('content_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('media_type', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_application_file_application_id_application')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_file'))
    )
    with op.batch_alter_table('application_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_file_application_id'), ['application_id'], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('application_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_file_application_id'))

    op.drop_table('application_file')
    with op.batch_alter_table('application_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_event_application_id'))

    op.drop_table('application_event')
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_round_id'))
        batch_op.drop_index(batch_op.f('ix_application_producer_id'))
        batch_op.drop_index(batch_op.f('ix_application_call_id'))
        batch_op.drop_index(batch_op.f('ix_application_account_id'))

    op.drop_table('application')
