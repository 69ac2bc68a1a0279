"""Read, vread and instance history (FHIR R4 RESTful API §3.1.0.3–.4, §3.1.0.10)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from service.api.fhir.outcome import FhirError
from service.api.fhir.resource_types import SERVED_TYPES, served_definitions
from service.api.fhir.responses import JSON_FORMATS, fhir_json
from service.storage import resource_reads
from service.storage.resource_reads import StoredVersion


def json_format(format_: str | None = Query(None, alias="_format")) -> None:
    if format_ is not None and format_ not in JSON_FORMATS:
        raise FhirError(406, "not-supported", f"_format {format_!r} is not offered: use json")


router = APIRouter(prefix="/fhir", tags=["fhir"], dependencies=[Depends(json_format)])


@router.get("/{resource_type}/{resource_id}")
def read(request: Request, resource_type: str, resource_id: str) -> Response:
    _known_type(resource_type)
    definition = served_definitions().get((resource_type, resource_id))
    if definition is not None:
        return fhir_json(definition)
    with _session(request) as session:
        stored = resource_reads.current(session, resource_type, resource_id)
    return _version_response(resource_type, resource_id, stored)


@router.get("/{resource_type}/{resource_id}/_history/{version_id}")
def vread(request: Request, resource_type: str, resource_id: str, version_id: str) -> Response:
    _known_type(resource_type)
    if not version_id.isdigit():
        raise FhirError(
            404, "not-found", f"{resource_type}/{resource_id} has no version {version_id!r}"
        )
    with _session(request) as session:
        stored = resource_reads.version(session, resource_type, resource_id, int(version_id))
    return _version_response(resource_type, resource_id, stored, version_id=version_id)


@router.get("/{resource_type}/{resource_id}/_history")
def instance_history(request: Request, resource_type: str, resource_id: str) -> Response:
    _known_type(resource_type)
    with _session(request) as session:
        versions = resource_reads.history(session, resource_type, resource_id)
    if not versions:
        raise FhirError(404, "not-found", f"{resource_type}/{resource_id} is not known")
    base = str(request.base_url).rstrip("/") + "/fhir"
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "type": "history",
        "total": len(versions),
        "link": [{"relation": "self", "url": str(request.url)}],
        "entry": [_history_entry(base, resource_type, resource_id, v) for v in versions],
    }
    return fhir_json(bundle)


def _history_entry(
    base: str, resource_type: str, resource_id: str, stored: StoredVersion
) -> dict[str, Any]:
    url = f"{resource_type}/{resource_id}"
    entry: dict[str, Any] = {"fullUrl": f"{base}/{url}"}
    if stored.resource is not None and not stored.deleted:
        entry["resource"] = stored.resource
    method = {"create": "POST", "update": "PUT", "delete": "DELETE"}.get(stored.method, "PUT")
    entry["request"] = {"method": method, "url": resource_type if method == "POST" else url}
    entry["response"] = {
        "status": {"POST": "201 Created", "DELETE": "204 No Content"}.get(method, "200 OK"),
        "etag": f'W/"{stored.version_id}"',
        "lastModified": stored.last_updated.isoformat(),
    }
    return entry


def _version_response(
    resource_type: str,
    resource_id: str,
    stored: StoredVersion | None,
    *,
    version_id: str | None = None,
) -> Response:
    what = f"{resource_type}/{resource_id}" + (f" version {version_id}" if version_id else "")
    if stored is None:
        raise FhirError(404, "not-found", f"{what} is not known")
    if stored.deleted or stored.resource is None:
        raise FhirError(410, "deleted", f"{what} has been deleted")
    return fhir_json(
        stored.resource,
        version_id=str(stored.version_id),
        last_updated=stored.last_updated,
    )


def _known_type(resource_type: str) -> None:
    if resource_type not in SERVED_TYPES:
        raise FhirError(404, "not-supported", f"resource type {resource_type!r} is not served here")


def _session(request: Request) -> Session:
    session: Session = request.app.state.sessions()
    return session
