"""Read stored FHIR resources: the current version, one version, and a resource's history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, text, tuple_
from sqlalchemy.orm import Session

from service.storage.bulk import keys_by_type
from service.storage.models import FhirResource, FhirResourceVersion


@dataclass(frozen=True)
class StoredVersion:
    version_id: int
    last_updated: datetime
    deleted: bool
    method: str
    resource: dict[str, Any] | None


# The API's hottest statement, built once: a text statement has a constant cache key, so
# executing it skips the per-call compilation bookkeeping of a select() (about a tenth of a read).
_CURRENT = text(
    "SELECT version_id, last_updated, deleted, resource FROM fhir_resource"
    " WHERE resource_type = :resource_type AND id = :id"
).columns(
    FhirResource.version_id, FhirResource.last_updated, FhirResource.deleted, FhirResource.resource
)


def current(session: Session, resource_type: str, resource_id: str) -> StoredVersion | None:
    row = session.execute(_CURRENT, {"resource_type": resource_type, "id": resource_id}).first()
    if row is None:
        return None
    version_id, last_updated, deleted, resource = row
    method = "delete" if deleted else ("create" if version_id == 1 else "update")
    return StoredVersion(version_id, last_updated, deleted, method, resource)


def version(
    session: Session, resource_type: str, resource_id: str, version_id: int
) -> StoredVersion | None:
    row = session.get(FhirResourceVersion, (resource_type, resource_id, version_id))
    return None if row is None else _stored(row)


def history(session: Session, resource_type: str, resource_id: str) -> list[StoredVersion]:
    """Newest first, as FHIR history bundles are ordered."""
    rows = session.scalars(
        select(FhirResourceVersion)
        .where(
            FhirResourceVersion.resource_type == resource_type,
            FhirResourceVersion.id == resource_id,
        )
        .order_by(FhirResourceVersion.version_id.desc())
    )
    return [_stored(row) for row in rows]


def _stored(row: FhirResourceVersion) -> StoredVersion:
    return StoredVersion(row.version_id, row.last_updated, row.deleted, row.method, row.resource)


def type_history(
    session: Session,
    resource_type: str,
    *,
    since: datetime | None,
    limit: int,
    before: tuple[datetime, str, int] | None = None,
) -> list[tuple[str, StoredVersion]]:
    """(id, version) of every version of the type, newest first; `before` continues a page."""
    query = select(FhirResourceVersion).where(FhirResourceVersion.resource_type == resource_type)
    if since is not None:
        query = query.where(FhirResourceVersion.last_updated >= since)
    if before is not None:
        query = query.where(
            tuple_(
                FhirResourceVersion.last_updated,
                FhirResourceVersion.id,
                FhirResourceVersion.version_id,
            )
            < tuple_(*before)
        )
    query = query.order_by(
        FhirResourceVersion.last_updated.desc(),
        FhirResourceVersion.id.desc(),
        FhirResourceVersion.version_id.desc(),
    ).limit(limit)
    return [(row.id, _stored(row)) for row in session.scalars(query)]


def current_versions(
    session: Session, keys: list[tuple[str, str]]
) -> dict[tuple[str, str], tuple[int, datetime]]:
    """(version, last updated) of many resources at once, one query per resource type."""
    found: dict[tuple[str, str], tuple[int, datetime]] = {}
    for resource_type, chunk in keys_by_type(session, FhirResource.id, keys):
        rows = session.execute(
            select(FhirResource.id, FhirResource.version_id, FhirResource.last_updated).where(
                FhirResource.resource_type == resource_type, chunk
            )
        )
        for resource_id, version_id, last_updated in rows:
            found[(resource_type, resource_id)] = (version_id, last_updated)
    return found
