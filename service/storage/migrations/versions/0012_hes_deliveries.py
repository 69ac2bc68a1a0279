"""HES annual deliveries per provider (NHS England's CQIM data-quality measures divide by them)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 10:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hes_deliveries",
        sa.Column("org_code", sa.String(length=8), nullable=False),
        sa.Column("total_deliveries", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("org_code", name=op.f("pk_hes_deliveries")),
    )


def downgrade() -> None:
    op.drop_table("hes_deliveries")
