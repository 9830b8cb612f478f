"""A round's decision: the office that signed it and the decision PDF (content hash, size, uploaded name).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08 02:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('selection_round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decision_signer', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True))
        batch_op.add_column(sa.Column('decision_pdf_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('decision_pdf_size', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('decision_pdf_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('selection_round', schema=None) as batch_op:
        batch_op.drop_column('decision_pdf_name')
        batch_op.drop_column('decision_pdf_size')
        batch_op.drop_column('decision_pdf_hash')
        batch_op.drop_column('decision_signer')
