"""ingest bookkeeping

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from service.storage.types import JsonDocument, UtcDateTime

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('loaded_row',
    sa.Column('source_system', sa.String(length=32), nullable=False),
    sa.Column('row_key', sa.String(length=128), nullable=False),
    sa.Column('row_sha256', sa.String(length=64), nullable=False),
    sa.Column('ingest_run_id', sa.Integer(), nullable=False),
    sa.Column('loaded_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('source_system', 'row_key', name=op.f('pk_loaded_row'))
    )
    with op.batch_alter_table('fhir_resource', schema=None) as batch_op:
        batch_op.add_column(sa.Column('content_hash', sa.String(length=64), nullable=True))

    with op.batch_alter_table('ingest_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report', JsonDocument, nullable=True))

    with op.batch_alter_table('quarantined_row', schema=None) as batch_op:
        # Rows quarantined before this revision get blanks: they predate row hashing.
        batch_op.add_column(sa.Column('source_system', sa.String(length=32), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('row_sha256', sa.String(length=64), nullable=False,
                                      server_default=''))
        batch_op.drop_index(batch_op.f('ix_quarantined_row_source_key'))
        batch_op.create_index(batch_op.f('ix_quarantined_row_row_sha256'), ['row_sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_quarantined_row_source_system_source_key'), ['source_system', 'source_key'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('quarantined_row', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quarantined_row_source_system_source_key'))
        batch_op.drop_index(batch_op.f('ix_quarantined_row_row_sha256'))
        batch_op.create_index(batch_op.f('ix_quarantined_row_source_key'), ['source_key'], unique=False)
        batch_op.drop_column('row_sha256')
        batch_op.drop_column('source_system')

    with op.batch_alter_table('ingest_run', schema=None) as batch_op:
        batch_op.drop_column('report')

    with op.batch_alter_table('fhir_resource', schema=None) as batch_op:
        batch_op.drop_column('content_hash')

    op.drop_table('loaded_row')
