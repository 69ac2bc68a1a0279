"""Fast bulk inserts of already-serialised rows, the native way on each backend: COPY on
PostgreSQL, executemany on SQLite. Used where an ingest writes hundreds of thousands of rows and
the ORM's per-row work would dominate; everything else goes through SQLAlchemy as usual."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from functools import cache
from operator import itemgetter
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Select, String, any_, bindparam, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import DeclarativeBase, InstrumentedAttribute, Session

from service.storage.models import Base


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
    # In primary-key order: SQLite then fills each B-tree page by page instead of touching a
    # random page per row (with the larger page cache, ingest ran 1.7× as fast; issue 20).
    key = _primary_key_positions(table, tuple(columns))
    if key:
        rows = sorted(rows, key=itemgetter(*key))
    placeholders = ", ".join("?" for _ in columns)
    times = [i for i, value in enumerate(rows[0]) if isinstance(value, datetime)]
    if times:
        rows = [_with_sqlite_times(row, times) for row in rows]
    connection.exec_driver_sql(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", list(rows)
    )


def fetch_frame(session: Session, statement: Select[Any]) -> pd.DataFrame:
    """A select's rows as a frame, straight from the driver: SQLAlchemy's per-value result
    processing (dates are text on SQLite) costs more than the query for large reads. Columns
    come as Python objects, as the driver gives them; the caller types the ones it needs."""
    connection = session.connection()
    compiled = statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(str(compiled))
        names = [column[0] for column in cursor.description]
        # As objects: pandas' type inference would cost as much as the fetch.
        return pd.DataFrame(cursor.fetchall(), columns=names, dtype=object)
    finally:
        cursor.close()


def insert_ignoring_duplicates(
    session: Session, model: type[DeclarativeBase], rows: Sequence[dict[str, Any]]
) -> None:
    """Insert rows, skipping those whose primary key is already there (ON CONFLICT DO NOTHING)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(model).on_conflict_do_nothing(), list(rows))


LOOKUP_CHUNK = 2_000  # keeps an IN list well under SQLite's bound-parameter limit


def matching(
    session: Session, column: ColumnElement[Any] | InstrumentedAttribute[Any], values: Sequence[str]
) -> Iterator[ColumnElement[bool]]:
    """Conditions `column IN values`, covering all of `values`: one array parameter on
    PostgreSQL (planned once, probed through the index), chunked IN lists on SQLite."""
    if not values:
        return
    if session.get_bind().dialect.name == "postgresql":
        yield column == any_(bindparam(None, list(values), type_=ARRAY(String)))
        return
    for start in range(0, len(values), LOOKUP_CHUNK):
        yield column.in_(values[start : start + LOOKUP_CHUNK])


def keys_by_type(
    session: Session,
    id_column: ColumnElement[Any] | InstrumentedAttribute[Any],
    keys: Iterable[tuple[str, str]],
) -> Iterator[tuple[str, ColumnElement[bool]]]:
    """(resource type, `id_column IN …`) covering (type, id) keys: looked up a type at a time,
    so the (type, id) primary key serves every chunk."""
    ids_by_type: dict[str, list[str]] = {}
    for resource_type, resource_id in sorted(keys):
        ids_by_type.setdefault(resource_type, []).append(resource_id)
    for resource_type, ids in ids_by_type.items():
        for chunk in matching(session, id_column, ids):
            yield resource_type, chunk


def prefer_index_lookups(session: Session) -> None:
    """For the rest of this transaction, on PostgreSQL, look rows up by index, never by scan.

    While a bulk load grows a table the planner's statistics lag far behind it and it may
    choose to scan every wide JSONB row for each batch's key lookup; the index is always right
    for those lookups."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL enable_seqscan = off"))


def read_in_key_order(session: Session) -> None:
    """For the rest of this transaction, on PostgreSQL, walk an index in order rather than
    fetch and sort: a keyset page (`WHERE id > :after ORDER BY id LIMIT n`) must cost its page,
    not the table, however stale the planner's statistics are."""
    if session.get_bind().dialect.name == "postgresql":
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            session.execute(text(f"SET LOCAL {setting} = off"))


GROWN_BY_INGEST = (
    "fhir_resource",
    "fhir_resource_version",
    "search_token",
    "search_reference",
    "search_date",
    "search_string",
)


def refresh_statistics(session: Session) -> None:
    """After a bulk load on PostgreSQL: fresh planner statistics for the tables it grew, so
    searches and exports are planned for the table as it now is, not as autovacuum last saw it
    (which, right after a load, can be empty)."""
    if session.get_bind().dialect.name == "postgresql":
        for table in GROWN_BY_INGEST:
            session.execute(text(f"ANALYZE {table}"))


@cache
def _primary_key_positions(table: str, columns: tuple[str, ...]) -> tuple[int, ...]:
    known = Base.metadata.tables.get(table)
    if known is None:
        return ()
    return tuple(columns.index(column.name) for column in known.primary_key.columns)


def _with_sqlite_times(row: Sequence[Any], positions: list[int]) -> tuple[Any, ...]:
    # The text SQLAlchemy's SQLite DateTime reads back: UTC, as UtcDateTime stores it.
    values = list(row)
    for i in positions:
        stamp = values[i] if values[i].tzinfo is UTC else values[i].astimezone(UTC)
        values[i] = stamp.isoformat(" ", "microseconds")[:26]
    return tuple(values)
