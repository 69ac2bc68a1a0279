"""scheduler heartbeat

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from service.storage.types import UtcDateTime


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('scheduler_heartbeat',
    sa.Column('scheduler_id', sa.String(length=64), nullable=False),
    sa.Column('hostname', sa.String(length=255), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=False),
    sa.Column('started_at', UtcDateTime(), nullable=False),
    sa.Column('beat_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('scheduler_id', name=op.f('pk_scheduler_heartbeat'))
    )


def downgrade() -> None:
    op.drop_table('scheduler_heartbeat')
