"""analytic births: the mother's age at booking (NHS England's AgeAtBookingMotherGroup reads it)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 04:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("analytic_birth") as table:
        table.add_column(sa.Column("mother_age_at_booking", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("analytic_birth") as table:
        table.drop_column("mother_age_at_booking")
