"""Nominations up the levels: an application made by a nomination holds the lower level's certificate.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 00:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lower_certificate_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_application_lower_certificate_id_certificate'), 'certificate',
                                    ['lower_certificate_id'], ['id'])


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_application_lower_certificate_id_certificate'), type_='foreignkey')
        batch_op.drop_column('lower_certificate_id')
