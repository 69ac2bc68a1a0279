"""Resources stored as zstd-compressed JSON with the product's dictionary
(service/storage/resource_json.py), in the current and the version tables

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from service.storage.resource_json import pack, unpack

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEYS = {
    "fhir_resource": ("resource_type", "id"),
    "fhir_resource_version": ("resource_type", "id", "version_id"),
}
BATCH = 5_000


def upgrade() -> None:
    connection = op.get_bind()
    for table, key in KEYS.items():
        _retype(table, "bytea USING convert_to(resource::text, 'UTF8')", sa.LargeBinary())
        _rewrite_rows(connection, table, key, lambda stored: pack(unpack(stored)))


def downgrade() -> None:
    connection = op.get_bind()
    for table, key in KEYS.items():
        _rewrite_rows(connection, table, key, lambda stored: unpack(stored).decode())
        _retype(table, "jsonb USING convert_from(resource, 'UTF8')::jsonb", sa.JSON())


def _retype(table: str, postgresql_type: str, sqlite_type: sa.types.TypeEngine[object]) -> None:
    # PostgreSQL converts the values as it changes the type; SQLite's batch mode copies the
    # table, values as they are (they are rewritten after, or before, by _rewrite_rows).
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE {table} ALTER COLUMN resource TYPE {postgresql_type}")
    else:
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column("resource", type_=sqlite_type)


def _rewrite_rows(connection, table: str, key: tuple[str, ...], rewrite) -> None:  # type: ignore[no-untyped-def]
    # Keyset pages over the primary key: memory stays flat however large the store.
    marker = "%s" if connection.dialect.name == "postgresql" else "?"
    columns = ", ".join(key)
    after: tuple[object, ...] | None = None
    while True:
        where = f"WHERE ({columns}) > ({', '.join(marker for _ in key)})" if after else ""
        page = connection.exec_driver_sql(
            f"SELECT {columns}, resource FROM {table} {where} ORDER BY {columns} LIMIT {BATCH}",
            after or (),
        ).fetchall()
        if not page:
            return
        packed = [(pack(unpack(row[-1])), *row[:-1]) for row in page if row[-1] is not None]
        if packed:
            condition = " AND ".join(f"{column} = {marker}" for column in key)
            connection.exec_driver_sql(
                f"UPDATE {table} SET resource = {marker} WHERE {condition}", packed
            )
        after = tuple(page[-1][:-1])
