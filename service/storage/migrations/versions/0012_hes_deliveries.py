"""HES annual deliveries per provider, and maternal critical incidents on analytic births
(NHS England's CQIM data-quality measures divide by the one and count the other)

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
    with op.batch_alter_table("analytic_birth") as table:
        table.add_column(sa.Column("maternal_critical_incidents", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("analytic_birth") as table:
        table.drop_column("maternal_critical_incidents")
    op.drop_table("hes_deliveries")
