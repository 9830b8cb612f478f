"""Rate-limit counts in the database, so every worker and machine shares one limit.

UNLOGGED on PostgreSQL: counters need no write-ahead log (a crash empties the table, which
forgives the current windows and nothing more).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    unlogged = ["UNLOGGED"] if op.get_bind().dialect.name == "postgresql" else []
    op.create_table(
        'rate_limit_count',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('window_start', sa.BigInteger(), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('expires_at', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('key', 'window_start', name=op.f('pk_rate_limit_count')),
        prefixes=unlogged,
    )
    with op.batch_alter_table('rate_limit_count', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rate_limit_count_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('rate_limit_count', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rate_limit_count_expires_at'))
    op.drop_table('rate_limit_count')
