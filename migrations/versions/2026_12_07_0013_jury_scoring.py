"""Jury scoring: jurors appointed to a round, their reviews of its applications, the council's decision.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 23:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('round_juror',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('appointed_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['appointed_by'], ['user.id'], name=op.f('fk_round_juror_appointed_by_user')),
    sa.ForeignKeyConstraint(['round_id'], ['selection_round.id'], name=op.f('fk_round_juror_round_id_selection_round')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_round_juror_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_juror')),
    sa.UniqueConstraint('round_id', 'user_id', name=op.f('uq_round_juror_round_id_user_id'))
    )
    with op.batch_alter_table('round_juror', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_juror_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_round_juror_user_id'), ['user_id'], unique=False)

    op.create_table('juror_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('scores', sa.Text(), nullable=False),
    sa.Column('comments', sa.Text(), nullable=False),
    sa.Column('conflict', sa.Boolean(), nullable=False),
    sa.Column('conflict_note', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_juror_review_application_id_application')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_juror_review_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_juror_review')),
    sa.UniqueConstraint('application_id', 'user_id', name=op.f('uq_juror_review_application_id_user_id'))
    )
    with op.batch_alter_table('juror_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_juror_review_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_juror_review_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decision', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_column('decision')

    with op.batch_alter_table('juror_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_juror_review_user_id'))
        batch_op.drop_index(batch_op.f('ix_juror_review_application_id'))

    op.drop_table('juror_review')
    with op.batch_alter_table('round_juror', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_juror_user_id'))
        batch_op.drop_index(batch_op.f('ix_round_juror_round_id'))

    op.drop_table('round_juror')
