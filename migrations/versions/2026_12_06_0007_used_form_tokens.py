"""One-time form tokens: the nonces of spent tokens, kept until they would expire.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('used_form_token',
    sa.Column('nonce', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('purpose', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('nonce', name=op.f('pk_used_form_token'))
    )
    with op.batch_alter_table('used_form_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_used_form_token_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('used_form_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_used_form_token_expires_at'))
    op.drop_table('used_form_token')
