"""Account administration: forced password change, last sign-in; the per-account lock-out goes.

Sign-in is throttled per (account, client address) in the app (app/web/login_throttle.py),
so the lock-out counters are dropped (issue 14).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 23:05:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_column('failed_logins')
        batch_op.drop_column('locked_until')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.alter_column('must_change_password', server_default=None)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), nullable=False, server_default='0'))
        batch_op.drop_column('last_login_at')
        batch_op.drop_column('must_change_password')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.alter_column('failed_logins', server_default=None)
