"""Keep the search index in step with the stored resources: a resource's rows are added in the
same transaction as its write, and when it changes or is deleted its old rows are recomputed
from its previous JSON and removed by primary key (the tables have no other index)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, delete, select, tuple_
from sqlalchemy.orm import Session

from service.search.extract import IndexEntries, index_entries
from service.storage.bulk import insert_rows
from service.storage.models import (
    FhirResource,
    SearchDate,
    SearchReference,
    SearchString,
    SearchToken,
)

INDEX_TABLES = (SearchToken, SearchReference, SearchDate, SearchString)
# Row layout per table: the resource's type and id, the parameter, then the values.
_COLUMNS = {
    "search_token": ("resource_type", "resource_id", "param", "system", "code"),
    "search_reference": ("resource_type", "resource_id", "param", "target_type", "target_id"),
    "search_date": ("resource_type", "resource_id", "param", "low", "high"),
    "search_string": ("resource_type", "resource_id", "param", "normalised", "exact"),
}
_MODELS = {model.__tablename__: model for model in INDEX_TABLES}
REINDEX_CHUNK = 5_000


def index_resources(
    session: Session,
    resources: Sequence[dict[str, Any]],
    *,
    replacing: Sequence[dict[str, Any]] = (),
) -> None:
    """Index `resources`; `replacing` are the previous versions of those that had one."""
    remove_from_index(session, replacing)
    for table, rows in _rows(resources).items():
        insert_rows(session, table, _COLUMNS[table], rows)


def remove_from_index(session: Session, previous: Iterable[dict[str, Any]]) -> None:
    """Remove the rows these (previous versions of) resources were indexed with."""
    for table, rows in _rows(previous).items():
        if not rows:
            continue
        model = _MODELS[table]
        columns = [getattr(model, name) for name in _COLUMNS[table]]
        names = [f"k{i}" for i in range(len(columns))]
        statement = delete(model).where(
            *(column == bindparam(name) for column, name in zip(columns, names, strict=True))
        )
        session.connection().execute(
            statement, [dict(zip(names, row, strict=True)) for row in rows]
        )


def _rows(resources: Iterable[dict[str, Any]]) -> dict[str, list[tuple[Any, ...]]]:
    rows: dict[str, list[tuple[Any, ...]]] = {table: [] for table in _COLUMNS}
    for resource in resources:
        key = (resource["resourceType"], resource["id"])
        entries: IndexEntries = index_entries(resource)
        rows["search_token"].extend((*key, p, s, c) for p, s, c in entries.tokens)
        rows["search_reference"].extend((*key, *r) for r in entries.references)
        rows["search_date"].extend((*key, *d) for d in entries.dates)
        rows["search_string"].extend((*key, *s) for s in entries.strings)
    return rows


def reindex_all(connection: Connection) -> int:
    """Rebuild the whole index from the current resources; returns how many were indexed."""
    session = Session(bind=connection)
    for model in INDEX_TABLES:
        session.execute(delete(model))
    indexed = 0
    after = ("", "")
    while True:  # keyset pages, so no cursor stays open while the index is written
        page = session.execute(
            select(FhirResource.resource_type, FhirResource.id, FhirResource.resource)
            .where(
                FhirResource.deleted.is_(False),
                tuple_(FhirResource.resource_type, FhirResource.id) > tuple_(*after),
            )
            .order_by(FhirResource.resource_type, FhirResource.id)
            .limit(REINDEX_CHUNK)
        ).all()
        if not page:
            return indexed
        index_resources(session, [resource for _, _, resource in page])
        indexed += len(page)
        after = (page[-1][0], page[-1][1])
