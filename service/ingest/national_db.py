"""Read a national source's tables straight from a database (an analyst's warehouse), into the
same shape as a folder of files: every value as text, as a file would hold it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import MetaData, Table, create_engine, inspect, select
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from fhir_mappings.extract_file import ExtractFileError
from fhir_mappings.national.tables import FolderContents, TableData, rows_sha256


def read_schema(url: str, schema: str | None, declared: Iterable[str]) -> FolderContents:
    """Every declared table the schema holds (names matched in any letter case)."""
    try:
        engine = create_engine(url)
    except ArgumentError:
        raise ExtractFileError("--from-db is not a database URL SQLAlchemy can open") from None
    wanted = {name.lower(): name for name in declared}
    tables: dict[str, TableData] = {}
    ignored: list[str] = []
    try:
        with engine.connect() as connection:
            for table_name in sorted(inspect(connection).get_table_names(schema=schema)):
                name = wanted.get(table_name.lower())
                if name is None:
                    ignored.append(table_name)
                    continue
                table = Table(table_name, MetaData(), schema=schema, autoload_with=connection)
                result = connection.execute(select(table))
                header = tuple(result.keys())
                rows = [tuple(_as_text(value) for value in row) for row in result]
                source = f"{schema}.{table_name}" if schema else table_name
                tables[name] = TableData(name, source, rows_sha256(rows), header, rows)
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        raise ExtractFileError(f"cannot read the database: {reason}") from None
    finally:
        engine.dispose()
    return FolderContents(tables, ignored)


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)
