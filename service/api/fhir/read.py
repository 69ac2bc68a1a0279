"""Read and vread (FHIR R4 §3.1.0.3–.4): the current or a given version, with its ETag and
Last-Modified; 404 for what never existed, 410 for what was deleted."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from service.api.audit import audit_read
from service.api.fhir.context import json_format, read_sessions, served_type
from service.api.fhir.outcome import FhirError
from service.api.fhir.resource_types import served_definitions
from service.api.fhir.responses import fhir_json
from service.api.security import authorise
from service.storage import resource_reads
from service.storage.resource_reads import StoredVersion

router = APIRouter(
    prefix="/fhir", tags=["fhir"], dependencies=[Depends(json_format), Depends(authorise)]
)


# read and vread are async although their database call is not: a primary-key lookup holds
# the event loop for a fraction of a millisecond, while handing it to a worker thread (as a
# plain `def` would) cost about a millisecond of GIL contention per request under load. The
# slower interactions (search, writes, Bundles) stay in worker threads.
@router.get("/{resource_type:fhir_type}/{resource_id:fhir_id}")
async def read(request: Request, resource_type: str, resource_id: str) -> Response:
    served_type(resource_type)
    definition = served_definitions().get((resource_type, resource_id))
    if definition is not None:
        return fhir_json(definition)
    with read_sessions(request)() as session:
        stored = resource_reads.current(session, resource_type, resource_id)
    response = version_response(resource_type, resource_id, stored)
    audit_read(
        request, resource_type, interaction="read", entities=[f"{resource_type}/{resource_id}"]
    )
    return response


@router.get("/{resource_type:fhir_type}/{resource_id:fhir_id}/_history/{version_id}")
async def vread(
    request: Request, resource_type: str, resource_id: str, version_id: str
) -> Response:
    served_type(resource_type)
    if not version_id.isdigit():
        raise FhirError(
            404, "not-found", f"{resource_type}/{resource_id} has no version {version_id!r}"
        )
    with read_sessions(request)() as session:
        stored = resource_reads.version(session, resource_type, resource_id, int(version_id))
    response = version_response(resource_type, resource_id, stored, version_id=version_id)
    audit_read(
        request, resource_type, interaction="vread", entities=[f"{resource_type}/{resource_id}"]
    )
    return response


def version_response(
    resource_type: str,
    resource_id: str,
    stored: StoredVersion | None,
    *,
    version_id: str | None = None,
    status: int = 200,
) -> Response:
    what = f"{resource_type}/{resource_id}" + (f" version {version_id}" if version_id else "")
    if stored is None:
        raise FhirError(404, "not-found", f"{what} is not known")
    if stored.deleted or stored.resource is None:
        raise FhirError(410, "deleted", f"{what} has been deleted")
    return fhir_json(
        stored.resource,
        status=status,
        version_id=str(stored.version_id),
        last_updated=stored.last_updated,
    )
