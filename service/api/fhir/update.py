"""Update, and update-as-create with a client-chosen id (FHIR R4 §3.1.0.4), with `If-Match`
version checking. Writes go through the same versioned path as ingest, so the analytic
projection sees posted resources exactly as it sees extracts."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import Response

from service.api.fhir.outcome import FhirError
from service.api.fhir.read import json_format
from service.api.fhir.request_body import resource_body
from service.api.fhir.resource_types import STORED_TYPES
from service.api.fhir.responses import fhir_json
from service.storage import resource_reads
from service.storage.resource_writes import write_resources

router = APIRouter(prefix="/fhir", tags=["fhir"], dependencies=[Depends(json_format)])


@router.put("/{resource_type}/{resource_id}")
async def update(
    request: Request,
    resource_type: str,
    resource_id: str,
    if_match: str | None = Header(None),
) -> Response:
    if resource_type not in STORED_TYPES:
        raise FhirError(404, "not-supported", f"resource type {resource_type!r} is not stored here")
    resource = await resource_body(request, resource_type)
    if resource.get("id") != resource_id:
        raise FhirError(
            400,
            "invalid",
            f"the resource's id ({resource.get('id')!r}) must be the URL's ({resource_id!r})",
            expression=f"{resource_type}.id",
        )
    state = request.app.state
    with state.sessions.begin() as session:
        before = resource_reads.current(session, resource_type, resource_id)
        if if_match is not None:
            expected = if_match.removeprefix("W/").strip('"')
            have = None if before is None else str(before.version_id)
            if expected != have:
                raise FhirError(
                    412,
                    "conflict",
                    f"{resource_type}/{resource_id} is at version {have or 'none'}, not {expected}",
                )
        write_resources(session, [resource], now=state.clock())
        after = resource_reads.current(session, resource_type, resource_id)
    assert after is not None
    assert after.resource is not None
    created = before is None or before.deleted
    response = fhir_json(
        after.resource,
        status=201 if created else 200,
        version_id=str(after.version_id),
        last_updated=after.last_updated,
    )
    if created:
        response.headers["Location"] = (
            f"{str(request.base_url).rstrip('/')}/fhir/{resource_type}/{resource_id}"
            f"/_history/{after.version_id}"
        )
    return response
