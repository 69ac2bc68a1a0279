"""Bookings of pregnancies with no birth recorded (NHS England counts every booking in the
month: CQIMSmokingBooking and its data-quality measures)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "analytic_booking_without_birth"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("booking_id", sa.String(length=64), nullable=False),
        sa.Column("family_key", sa.String(length=96), nullable=False),
        sa.Column("mother_id", sa.String(length=64), nullable=False),
        sa.Column("booking_date", sa.Date(), nullable=False),
        sa.Column("booking_month", sa.Date(), nullable=False),
        sa.Column("site_code", sa.String(length=16), nullable=True),
        sa.Column("booking_gestation_days", sa.Integer(), nullable=True),
        sa.Column("bmi_at_booking", sa.Numeric(precision=4, scale=1, asdecimal=False), nullable=True),
        sa.Column("smoking_at_booking", sa.String(length=8), nullable=True),
        sa.Column("smoking_at_booking_derived", sa.String(length=24), nullable=True),
        sa.Column("parity", sa.Integer(), nullable=True),
        sa.Column("previous_caesareans", sa.Integer(), nullable=True),
        sa.Column("previous_stillbirths", sa.Integer(), nullable=True),
        sa.Column("mother_age_at_booking", sa.Integer(), nullable=True),
        sa.Column("ethnic_category", sa.String(length=4), nullable=True),
        sa.Column("ethnic_group", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("imd_decile", sa.Integer(), nullable=True),
        sa.Column("imd_quintile", sa.Integer(), nullable=True),
        sa.Column("deprivation_status", sa.String(length=24), nullable=False),
        sa.PrimaryKeyConstraint("booking_id", name=op.f(f"pk_{TABLE}")),
    )
    op.create_index(op.f(f"ix_{TABLE}_booking_month"), TABLE, ["booking_month"])
    op.create_index(op.f(f"ix_{TABLE}_family_key"), TABLE, ["family_key"])


def downgrade() -> None:
    op.drop_index(op.f(f"ix_{TABLE}_family_key"), table_name=TABLE)
    op.drop_index(op.f(f"ix_{TABLE}_booking_month"), table_name=TABLE)
    op.drop_table(TABLE)
