"""Create, update (also as create, with the client's id), conditional create and update, and
delete (FHIR R4 §3.1.0.4–.7), each with its AuditEvent in the same transaction."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from service.api.audit import Action, audit_write
from service.api.fhir import interactions
from service.api.fhir.context import fhir_base, json_format, sessions
from service.api.fhir.interactions import Written
from service.api.fhir.outcome import FhirError
from service.api.fhir.request_body import resource_body
from service.api.fhir.resource_types import WRITABLE_TYPES
from service.api.fhir.responses import fhir_json
from service.api.security import authorise

router = APIRouter(
    prefix="/fhir", tags=["fhir"], dependencies=[Depends(json_format), Depends(authorise)]
)
ACTION_BY_STATUS: dict[int, Action] = {201: "C", 200: "U", 204: "D"}


@router.post("/{resource_type:fhir_type}")
async def create(
    request: Request, resource_type: str, if_none_exist: str | None = Header(None)
) -> Response:
    writable_type(resource_type)
    resource = await resource_body(request, resource_type)
    with sessions(request).begin() as session:
        written = interactions.create(
            session, resource, now=request.app.state.clock(), if_none_exist=if_none_exist
        )
        if written.status == 201:
            _audit(request, session, "create", written)
    return written_response(request, written)


@router.put("/{resource_type:fhir_type}/{resource_id:fhir_id}")
async def update(
    request: Request, resource_type: str, resource_id: str, if_match: str | None = Header(None)
) -> Response:
    writable_type(resource_type)
    resource = await resource_body(request, resource_type)
    with sessions(request).begin() as session:
        written = interactions.update(
            session, resource, resource_id, now=request.app.state.clock(), if_match=if_match
        )
        _audit(request, session, "update", written)
    return written_response(request, written)


@router.put("/{resource_type:fhir_type}")
async def conditional_update(request: Request, resource_type: str) -> Response:
    writable_type(resource_type)
    criteria = str(request.url.query)
    if not criteria:
        raise FhirError(400, "invalid", "a conditional update needs search parameters in the URL")
    resource = await resource_body(request, resource_type)
    with sessions(request).begin() as session:
        written = interactions.conditional_update(
            session, resource, criteria, now=request.app.state.clock()
        )
        _audit(request, session, "update", written)
    return written_response(request, written)


@router.delete("/{resource_type:fhir_type}/{resource_id:fhir_id}")
def delete(request: Request, resource_type: str, resource_id: str) -> Response:
    writable_type(resource_type)
    with sessions(request).begin() as session:
        written = interactions.delete(
            session, resource_type, resource_id, now=request.app.state.clock()
        )
        _audit(request, session, "delete", written)
    return Response(status_code=204)


def writable_type(resource_type: str) -> None:
    if resource_type not in WRITABLE_TYPES:
        raise FhirError(
            404 if resource_type != "AuditEvent" else 405,
            "not-supported",
            f"resource type {resource_type!r} cannot be written here",
        )


def written_response(request: Request, written: Written) -> Response:
    stored = written.stored
    assert stored is not None
    assert stored.resource is not None
    response = fhir_json(
        stored.resource,
        status=written.status,
        version_id=str(stored.version_id),
        last_updated=stored.last_updated,
    )
    if written.status == 201:
        response.headers["Location"] = f"{fhir_base(request)}/{written.location}"
    return response


def _audit(request: Request, session: Session, interaction: str, written: Written) -> None:
    audit_write(
        request,
        session,
        interaction=interaction,
        action=ACTION_BY_STATUS[written.status],
        status=written.status,
        entity=f"{written.resource_type}/{written.resource_id}",
    )
