"""Publishing a round's results: a selected application keeps the certificate it became.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 23:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('certificate_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_application_certificate_id'), ['certificate_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_application_certificate_id_certificate'), 'certificate',
                                    ['certificate_id'], ['id'])


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_application_certificate_id_certificate'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_application_certificate_id'))
        batch_op.drop_column('certificate_id')
