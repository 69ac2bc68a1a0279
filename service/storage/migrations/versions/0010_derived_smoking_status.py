"""analytic births: the booking date and smoking at booking and at delivery as NHS England
derives them (what its CQIMSmokingBooking and CQIMSmokingDelivery read)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 23:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("smoking_at_booking_derived", sa.String(length=24)),
    ("smoking_at_delivery_derived", sa.String(length=24)),
    ("booking_date", sa.Date()),
)


def upgrade() -> None:
    with op.batch_alter_table("analytic_birth") as table:
        for name, kind in COLUMNS:
            table.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("analytic_birth") as table:
        for name, _ in reversed(COLUMNS):
            table.drop_column(name)
