"""Producer accounts and their claims to producer records; calls for entries of a round.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 20:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('producer_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('producer_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['producer_id'], ['producer.id'], name=op.f('fk_producer_account_producer_id_producer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_producer_account')),
    sa.UniqueConstraint('email', name=op.f('uq_producer_account_email'))
    )
    with op.batch_alter_table('producer_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_producer_account_producer_id'), ['producer_id'], unique=False)

    op.create_table('round_call',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=False),
    sa.Column('results_on', sa.Date(), nullable=True),
    sa.Column('documents', sa.Text(), nullable=False),
    sa.Column('criteria', sa.Text(), nullable=False),
    sa.Column('pass_mark', sa.Float(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['selection_round.id'], name=op.f('fk_round_call_round_id_selection_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_call')),
    sa.UniqueConstraint('round_id', name=op.f('uq_round_call_round_id'))
    )
    op.create_table('producer_claim',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('producer_id', sa.Integer(), nullable=False),
    sa.Column('province_id', sa.Integer(), nullable=False),
    sa.Column('message', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['producer_account.id'], name=op.f('fk_producer_claim_account_id_producer_account')),
    sa.ForeignKeyConstraint(['decided_by'], ['user.id'], name=op.f('fk_producer_claim_decided_by_user')),
    sa.ForeignKeyConstraint(['producer_id'], ['producer.id'], name=op.f('fk_producer_claim_producer_id_producer')),
    sa.ForeignKeyConstraint(['province_id'], ['province.id'], name=op.f('fk_producer_claim_province_id_province')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_producer_claim'))
    )
    with op.batch_alter_table('producer_claim', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_producer_claim_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_producer_claim_producer_id'), ['producer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_producer_claim_province_id'), ['province_id'], unique=False)



def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('producer_claim', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_producer_claim_province_id'))
        batch_op.drop_index(batch_op.f('ix_producer_claim_producer_id'))
        batch_op.drop_index(batch_op.f('ix_producer_claim_account_id'))

    op.drop_table('producer_claim')
    op.drop_table('round_call')
    with op.batch_alter_table('producer_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_producer_account_producer_id'))

    op.drop_table('producer_account')
