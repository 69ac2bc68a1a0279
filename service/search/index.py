"""Keep the search index in step with the stored resources: rows replaced in the same
transaction as each write, removed on delete, and rebuilt whole by `reindex_all`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, delete, select, tuple_
from sqlalchemy.orm import Session

from service.search.extract import index_entries
from service.storage.bulk import insert_rows, matching
from service.storage.models import (
    FhirResource,
    SearchDate,
    SearchReference,
    SearchString,
    SearchToken,
)

INDEX_TABLES = (SearchToken, SearchReference, SearchDate, SearchString)
_COLUMNS = {
    "search_token": ("resource_type", "resource_id", "param", "system", "code"),
    "search_reference": ("resource_type", "resource_id", "param", "target_type", "target_id"),
    "search_date": ("resource_type", "resource_id", "param", "low", "high"),
    "search_string": ("resource_type", "resource_id", "param", "normalised", "exact"),
}
REINDEX_CHUNK = 5_000


def index_resources(
    session: Session,
    resources: Sequence[dict[str, Any]],
    *,
    replacing: Iterable[tuple[str, str]] = (),
) -> None:
    """Index `resources`; `replacing` names those that were indexed before (their rows go)."""
    remove_from_index(session, replacing)
    rows: dict[str, list[tuple[Any, ...]]] = {table: [] for table in _COLUMNS}
    for resource in resources:
        key = (resource["resourceType"], resource["id"])
        entries = index_entries(resource)
        rows["search_token"].extend((*key, p, s, c) for p, s, c in entries.tokens)
        rows["search_reference"].extend((*key, *r) for r in entries.references)
        rows["search_date"].extend((*key, *d) for d in entries.dates)
        rows["search_string"].extend((*key, *s) for s in entries.strings)
    for table, table_rows in rows.items():
        insert_rows(session, table, _COLUMNS[table], table_rows)


def remove_from_index(session: Session, keys: Iterable[tuple[str, str]]) -> None:
    ids_by_type: dict[str, list[str]] = {}
    for resource_type, resource_id in keys:
        ids_by_type.setdefault(resource_type, []).append(resource_id)
    for resource_type, ids in ids_by_type.items():
        for model in INDEX_TABLES:
            for chunk in matching(session, model.resource_id, ids):
                session.execute(delete(model).where(model.resource_type == resource_type, chunk))


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
