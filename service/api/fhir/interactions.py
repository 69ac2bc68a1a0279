"""The write interactions (FHIR R4 §3.1.0.4–.7) on an open transaction: create, conditional
create, update, conditional update and delete. The HTTP routes and the transaction Bundle both
call these, so a resource written either way is written the same way."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from sqlalchemy.orm import Session

from service.api.fhir.outcome import FhirError
from service.search import sql
from service.search.request import SearchRequestError, parse_search
from service.storage import resource_reads
from service.storage.resource_reads import StoredVersion
from service.storage.resource_writes import delete_resource, write_resources


@dataclass(frozen=True)
class Written:
    """What an interaction did: the HTTP status and the version now stored (None after delete)."""

    status: int
    resource_type: str
    resource_id: str
    stored: StoredVersion | None

    @property
    def location(self) -> str:
        version = f"/_history/{self.stored.version_id}" if self.stored else ""
        return f"{self.resource_type}/{self.resource_id}{version}"


def create(
    session: Session,
    resource: dict[str, Any],
    *,
    now: datetime,
    if_none_exist: str | None = None,
    new_id: str | None = None,
) -> Written:
    """A new resource with an id the server chooses; with `If-None-Exist`, only if no resource
    matches that search (one match is returned as it is; more than one is an error)."""
    resource_type = resource["resourceType"]
    if if_none_exist:
        found = matching_ids(session, resource_type, if_none_exist, header="If-None-Exist")
        if len(found) > 1:
            raise FhirError(
                412,
                "multiple-matches",
                f"If-None-Exist matches {len(found)} {resource_type} resources",
            )
        if found:
            return Written(
                200,
                resource_type,
                found[0],
                resource_reads.current(session, resource_type, found[0]),
            )
    resource_id = new_id or str(uuid.uuid4())
    return _write(session, {**resource, "id": resource_id}, now=now, status=201)


def update(
    session: Session,
    resource: dict[str, Any],
    resource_id: str,
    *,
    now: datetime,
    if_match: str | None = None,
) -> Written:
    resource_type = resource["resourceType"]
    if resource.get("id") != resource_id:
        raise FhirError(
            400,
            "invalid",
            f"the resource's id ({resource.get('id')!r}) must be the URL's ({resource_id!r})",
            expression=f"{resource_type}.id",
        )
    before = resource_reads.current(session, resource_type, resource_id)
    if if_match is not None:
        expected = if_match.removeprefix("W/").strip('"')
        have = None if before is None or before.deleted else str(before.version_id)
        if expected != have:
            raise FhirError(
                412,
                "conflict",
                f"{resource_type}/{resource_id} is at version {have or 'none'}, not {expected}",
            )
    created = before is None or before.deleted
    return _write(session, resource, now=now, status=201 if created else 200)


def conditional_update(
    session: Session, resource: dict[str, Any], criteria: str, *, now: datetime
) -> Written:
    """PUT [type]?search: no match creates, one match is updated, more than one is refused."""
    resource_type = resource["resourceType"]
    found = matching_ids(session, resource_type, criteria, header="the conditional update's search")
    if len(found) > 1:
        raise FhirError(
            412, "multiple-matches", f"the search matches {len(found)} {resource_type} resources"
        )
    if not found:
        return _write(
            session,
            {**resource, "id": resource.get("id") or str(uuid.uuid4())},
            now=now,
            status=201,
        )
    if resource.get("id") not in (None, found[0]):
        raise FhirError(
            400,
            "invalid",
            "the resource's id is not the id of the resource the search found",
            expression=f"{resource_type}.id",
        )
    return _write(session, {**resource, "id": found[0]}, now=now, status=200)


def delete(session: Session, resource_type: str, resource_id: str, *, now: datetime) -> Written:
    """Deleting what is already gone, or was never there, succeeds too (FHIR R4 §3.1.0.7.1)."""
    delete_resource(session, resource_type, resource_id, now=now)
    return Written(204, resource_type, resource_id, None)


def matching_ids(session: Session, resource_type: str, criteria: str, *, header: str) -> list[str]:
    """Up to two ids matching a search given as a query string: enough to tell 0, 1 or many."""
    query = parse_qsl(
        criteria.removeprefix(f"{resource_type}?").lstrip("?"), keep_blank_values=True
    )
    if not query:
        raise FhirError(400, "invalid", f"{header} has no search parameters")
    try:
        request = parse_search(resource_type, query, strict=True)
    except SearchRequestError as error:
        raise FhirError(400, "invalid", f"{header}: {error}") from None
    return list(session.scalars(sql.matches(request).limit(2)))


def _write(session: Session, resource: dict[str, Any], *, now: datetime, status: int) -> Written:
    key = (resource["resourceType"], resource["id"])
    write_resources(session, [resource], now=now)
    return Written(status, *key, resource_reads.current(session, *key))
