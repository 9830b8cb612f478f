"""Initial schema: provinces, producers, products, images, rounds, certificates, outbox.

Revision ID: 0001
Create Date: 2026-11-21 05:25:59.378596
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_product_id'), ['product_id'], unique=False)

    op.create_table('province',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    sa.Column('successor_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['successor_id'], ['province.id'], name=op.f('fk_province_successor_id_province')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_province')),
    sa.UniqueConstraint('code', name=op.f('uq_province_code')),
    sa.UniqueConstraint('slug', name=op.f('uq_province_slug'))
    )
    op.create_table('producer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('name_key', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('legal_form', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
    sa.Column('website', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('province_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['province_id'], ['province.id'], name=op.f('fk_producer_province_id_province')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_producer')),
    sa.UniqueConstraint('name_key', 'province_id', name=op.f('uq_producer_name_key_province_id')),
    sa.UniqueConstraint('slug', name=op.f('uq_producer_slug'))
    )
    with op.batch_alter_table('producer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_producer_province_id'), ['province_id'], unique=False)

    op.create_table('selection_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('region', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('province_id', sa.Integer(), nullable=True),
    sa.Column('organiser', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('decision_number', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('decision_date', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['province_id'], ['province.id'], name=op.f('fk_selection_round_province_id_province')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_selection_round'))
    )
    with op.batch_alter_table('selection_round', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_selection_round_province_id'), ['province_id'], unique=False)

    op.create_table('product',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('name_key', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('group', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('producer_id', sa.Integer(), nullable=False),
    sa.Column('province_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['producer_id'], ['producer.id'], name=op.f('fk_product_producer_id_producer')),
    sa.ForeignKeyConstraint(['province_id'], ['province.id'], name=op.f('fk_product_province_id_province')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product')),
    sa.UniqueConstraint('producer_id', 'name_key', name=op.f('uq_product_producer_id_name_key')),
    sa.UniqueConstraint('slug', name=op.f('uq_product_slug'))
    )
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_producer_id'), ['producer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_product_province_id'), ['province_id'], unique=False)

    op.create_table('certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('number_key', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('revoked_on', sa.Date(), nullable=True),
    sa.Column('revoked_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.Column('province_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_certificate_product_id_product')),
    sa.ForeignKeyConstraint(['province_id'], ['province.id'], name=op.f('fk_certificate_province_id_province')),
    sa.ForeignKeyConstraint(['round_id'], ['selection_round.id'], name=op.f('fk_certificate_round_id_selection_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate')),
    sa.UniqueConstraint('code', name=op.f('uq_certificate_code')),
    sa.UniqueConstraint('product_id', 'level', 'issued_on', name=op.f('uq_certificate_product_id_level_issued_on'))
    )
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_number_key'), ['number_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_province_id'), ['province_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_round_id'), ['round_id'], unique=False)

    op.create_table('product_image',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('content_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('alt', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_product_image_product_id_product')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_image')),
    sa.UniqueConstraint('product_id', 'content_hash', name=op.f('uq_product_image_product_id_content_hash'))
    )
    with op.batch_alter_table('product_image', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_image_product_id'), ['product_id'], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('product_image', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_image_product_id'))

    op.drop_table('product_image')
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_round_id'))
        batch_op.drop_index(batch_op.f('ix_certificate_province_id'))
        batch_op.drop_index(batch_op.f('ix_certificate_product_id'))
        batch_op.drop_index(batch_op.f('ix_certificate_number_key'))

    op.drop_table('certificate')
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_province_id'))
        batch_op.drop_index(batch_op.f('ix_product_producer_id'))

    op.drop_table('product')
    with op.batch_alter_table('selection_round', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_selection_round_province_id'))

    op.drop_table('selection_round')
    with op.batch_alter_table('producer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_producer_province_id'))

    op.drop_table('producer')
    op.drop_table('province')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_product_id'))

    op.drop_table('outbox')
