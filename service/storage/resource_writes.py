"""Write FHIR resources as versions: new → version 1, changed → next version, identical → nothing.

"Identical" compares a hash of the content without `meta` (and without a Provenance's `recorded`
time), so loading the same data again creates no version, whoever loads it and when. Writes go in
batches with one lookup per batch, never a query per resource.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import orjson
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.search.index import index_resources, remove_from_index
from service.storage.bulk import insert_ignoring_duplicates, insert_rows, keys_by_type
from service.storage.models import FhirResource, ProjectionQueue
from service.storage.resource_json import pack

WriteStatus = Literal["created", "updated", "unchanged"]
VOLATILE_FIELDS = {"Provenance": ("recorded",)}


@dataclass
class WriteCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other: WriteCounts) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def content_hash(resource: dict[str, Any]) -> str:
    return _serialised_content(resource)[0]


def _serialised_content(resource: dict[str, Any]) -> tuple[str, bytes]:
    """(hash, JSON) of the content without meta: one serialisation serves both."""
    volatile = VOLATILE_FIELDS.get(resource["resourceType"], ())
    content = {k: v for k, v in resource.items() if k != "meta" and k not in volatile}
    encoded = orjson.dumps(content, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(encoded).hexdigest(), encoded


def _stored_json(resource: dict[str, Any], content_json: bytes, meta: dict[str, Any]) -> bytes:
    if resource["resourceType"] in VOLATILE_FIELDS:
        return orjson.dumps({**resource, "meta": meta})
    # Splice meta in front of the content already serialised for the hash.
    head = orjson.dumps({"meta": meta})[:-1]
    return head + b"," + content_json[1:] if content_json != b"{}" else head + b"}"


def stored_json(resource: dict[str, Any], *, version: int, now: datetime) -> bytes:
    """The JSON text a resource is stored as at `version` (before compression)."""
    meta = {**resource.get("meta", {}), "versionId": str(version), "lastUpdated": now.isoformat()}
    return _stored_json(resource, _serialised_content(resource)[1], meta)


def write_resources(
    session: Session, resources: Iterable[dict[str, Any]], *, now: datetime
) -> dict[tuple[str, str], WriteStatus]:
    """Write a batch; returns what happened to each (type, id). Within a batch the last
    resource with a given type and id wins."""
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for resource in resources:
        latest[(resource["resourceType"], resource["id"])] = resource
    existing = _current_versions(session, list(latest))
    statuses: dict[tuple[str, str], WriteStatus] = {}
    new_rows: list[tuple[Any, ...]] = []
    changed_rows: list[dict[str, Any]] = []
    version_rows: list[tuple[Any, ...]] = []
    touched_patients: set[str] = set()
    stamp = now.isoformat()
    for key, resource in latest.items():
        digest, content_json = _serialised_content(resource)
        previous = existing.get(key)
        if previous is not None and previous[1] == digest:
            statuses[key] = "unchanged"
            continue
        version = 1 if previous is None else previous[0] + 1
        meta = {**resource.get("meta", {}), "versionId": str(version), "lastUpdated": stamp}
        stored_text = _stored_json(resource, content_json, meta)
        stored = pack(stored_text)
        version_rows.append(
            (
                key[0],
                key[1],
                version,
                now,
                False,
                "create" if previous is None else "update",
                stored,
            )
        )
        compartment = compartment_of(resource)
        if compartment:
            touched_patients.add(compartment)
        if previous is None:
            new_rows.append((key[0], key[1], version, now, False, digest, compartment, stored))
            statuses[key] = "created"
        else:
            changed_rows.append(
                {
                    "resource_type": key[0],
                    "id": key[1],
                    "version_id": version,
                    "last_updated": now,
                    "deleted": False,
                    "content_hash": digest,
                    "compartment": compartment,
                    "resource": orjson.loads(stored_text),
                }
            )
            statuses[key] = "updated"
    replaced = _stored_resources(
        session, [(row["resource_type"], row["id"]) for row in changed_rows]
    )
    insert_rows(session, "fhir_resource", CURRENT_COLUMNS, new_rows)
    if changed_rows:
        session.execute(update(FhirResource), changed_rows)
    insert_rows(session, "fhir_resource_version", VERSION_COLUMNS, version_rows)
    index_resources(
        session,
        [latest[key] for key, status in statuses.items() if status != "unchanged"],
        replacing=replaced,
    )
    queue_for_projection(session, touched_patients, now=now)
    return statuses


def compartment_of(resource: dict[str, Any]) -> str | None:
    """The id of the Patient a resource is about: itself, or its subject or patient."""
    if resource["resourceType"] == "Patient":
        return str(resource["id"])
    for element in ("subject", "patient"):
        target = (resource.get(element) or {}).get("reference", "")
        if target.startswith("Patient/"):
            return str(target.removeprefix("Patient/"))
    return None


def queue_for_projection(session: Session, patient_ids: Iterable[str], *, now: datetime) -> None:
    """Ask for the analytic projection of these patients' families to be refreshed, in the same
    transaction as the write, so a change can never be committed without its request."""
    rows = [{"patient_id": patient_id, "queued_at": now} for patient_id in sorted(patient_ids)]
    if rows:
        insert_ignoring_duplicates(session, ProjectionQueue, rows)


CURRENT_COLUMNS = (
    "resource_type",
    "id",
    "version_id",
    "last_updated",
    "deleted",
    "content_hash",
    "compartment",
    "resource",
)
VERSION_COLUMNS = (
    "resource_type",
    "id",
    "version_id",
    "last_updated",
    "deleted",
    "method",
    "resource",
)


def count(statuses: dict[tuple[str, str], WriteStatus]) -> WriteCounts:
    counts = WriteCounts()
    for status in statuses.values():
        setattr(counts, status, getattr(counts, status) + 1)
    return counts


def _stored_resources(session: Session, keys: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """The stored JSON of resources about to change (a tombstone has none)."""
    found: list[dict[str, Any]] = []
    for resource_type, chunk in keys_by_type(session, FhirResource.id, keys):
        query = select(FhirResource.resource).where(
            FhirResource.resource_type == resource_type, chunk
        )
        found.extend(resource for resource in session.scalars(query) if resource is not None)
    return found


def _current_versions(
    session: Session, keys: list[tuple[str, str]]
) -> dict[tuple[str, str], tuple[int, str | None]]:
    """Version and hash of those that exist."""
    found: dict[tuple[str, str], tuple[int, str | None]] = {}
    for resource_type, chunk in keys_by_type(session, FhirResource.id, keys):
        query = select(FhirResource.id, FhirResource.version_id, FhirResource.content_hash).where(
            FhirResource.resource_type == resource_type, chunk
        )
        for resource_id, version, digest in session.execute(query):
            found[(resource_type, resource_id)] = (version, digest)
    return found


def delete_resource(
    session: Session, resource_type: str, resource_id: str, *, now: datetime
) -> int | None:
    """Delete: a tombstone version, the search index rows gone, the family re-projected.
    Returns the tombstone's version, or None when there was nothing (left) to delete."""
    row = session.get(FhirResource, (resource_type, resource_id), populate_existing=True)
    if row is None or row.deleted:
        return None
    version = row.version_id + 1
    compartment = row.compartment
    if row.resource is not None:
        remove_from_index(session, [row.resource])
    row.version_id = version
    row.last_updated = now
    row.deleted = True
    row.content_hash = None
    row.resource = None
    insert_rows(
        session,
        "fhir_resource_version",
        VERSION_COLUMNS,
        [(resource_type, resource_id, version, now, True, "delete", None)],
    )
    if compartment:
        queue_for_projection(session, [compartment], now=now)
    session.flush()
    return version
