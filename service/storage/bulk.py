"""Fast bulk inserts of already-serialised rows, the native way on each backend: COPY on
PostgreSQL, executemany on SQLite. Used where an ingest writes hundreds of thousands of rows and
the ORM's per-row work would dominate; everything else goes through SQLAlchemy as usual."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session


def insert_rows(
    session: Session, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert `rows` (values in `columns` order; JSON columns as JSON text, times aware)."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        driver = connection.connection.driver_connection
        assert driver is not None
        with (
            driver.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    placeholders = ", ".join("?" for _ in columns)
    times = [i for i, value in enumerate(rows[0]) if isinstance(value, datetime)]
    if times:
        rows = [_with_sqlite_times(row, times) for row in rows]
    connection.exec_driver_sql(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", list(rows)
    )


def prefer_index_lookups(session: Session) -> None:
    """For the rest of this transaction, on PostgreSQL, look rows up by index, never by scan.

    While a bulk load grows a table the planner's statistics lag far behind it and it may
    choose to scan every wide JSONB row for each batch's key lookup; the index is always right
    for those lookups."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL enable_seqscan = off"))


def _with_sqlite_times(row: Sequence[Any], positions: list[int]) -> tuple[Any, ...]:
    # The text SQLAlchemy's SQLite DateTime reads back: UTC, as UtcDateTime stores it.
    values = list(row)
    for i in positions:
        values[i] = values[i].astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return tuple(values)
