"""analytic births: previous caesareans and stillbirths, labour onset and caesarean dates (what
NHS England's Robson and VBAC measures read)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 19:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("previous_caesareans", sa.Integer()),
    ("previous_stillbirths", sa.Integer()),
    ("labour_onset_date", sa.Date()),
    ("caesarean_date", sa.Date()),
)


def upgrade() -> None:
    with op.batch_alter_table("analytic_birth") as table:
        for name, kind in COLUMNS:
            table.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("analytic_birth") as table:
        for name, _ in reversed(COLUMNS):
            table.drop_column(name)
