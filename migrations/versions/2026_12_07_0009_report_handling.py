"""Misuse reports handled by offices: five states and a history of every move.

The states become new → checking → confirmed | unfounded → closed. Old values map to the
nearest new one: in_progress → checking, resolved → closed (handled, finding not recorded),
dismissed → unfounded (the same words: "Không có cơ sở").

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UP = {"in_progress": "checking", "resolved": "closed", "dismissed": "unfounded"}
DOWN = {"checking": "in_progress", "confirmed": "resolved", "closed": "resolved", "unfounded": "dismissed"}


def _map_states(mapping: dict[str, str]) -> None:
    """Rewrite stored report states by `mapping` (values outside it stay as they are)."""
    report = sa.table("misuse_report", sa.column("state", sa.String(16)))
    for old, new in mapping.items():
        op.execute(report.update().where(report.c.state == old).values(state=new))


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('misuse_report_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('from_state', sa.String(length=16), nullable=False),
    sa.Column('to_state', sa.String(length=16), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['misuse_report.id'],
                            name=op.f('fk_misuse_report_event_report_id_misuse_report')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_misuse_report_event_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_misuse_report_event'))
    )
    with op.batch_alter_table('misuse_report_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_misuse_report_event_report_id'), ['report_id'], unique=False)
    _map_states(UP)


def downgrade() -> None:
    """Revert this revision."""
    _map_states(DOWN)
    with op.batch_alter_table('misuse_report_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_misuse_report_event_report_id'))
    op.drop_table('misuse_report_event')
