"""`$validate` (FHIR R4 §6.1.0.11.1) on a type and an instance: the structure, the product's own
rules (`fhir_mappings.fhir.conformance`), and whether the resources it refers to are stored
here. Answers 200 with an OperationOutcome listing every issue, valid or not; a 4xx means the
validation itself could not be done."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from fhir_mappings.fhir.conformance import Issue, check_resource
from service.api.fhir.context import json_format, sessions, stored_type
from service.api.fhir.outcome import FhirError
from service.api.fhir.request_body import json_body
from service.api.fhir.resource_types import STORED_TYPES
from service.api.fhir.responses import fhir_json
from service.api.security import authorise
from service.search.extract import reference_target
from service.storage import resource_reads
from service.storage.resource_reads import current_versions

router = APIRouter(
    prefix="/fhir", tags=["fhir"], dependencies=[Depends(json_format), Depends(authorise)]
)
MODES = ("create", "update", "delete")


@router.post("/{resource_type:fhir_type}/$validate")
async def validate_type(
    request: Request, resource_type: str, mode: str | None = Query(None)
) -> Response:
    return await validate_instance(request, resource_type, None, mode)


@router.post("/{resource_type:fhir_type}/{resource_id:fhir_id}/$validate")
async def validate_instance(
    request: Request,
    resource_type: str,
    resource_id: str | None,
    mode: str | None = Query(None),
) -> Response:
    stored_type(resource_type)
    resource, mode = _resource_and_mode(await json_body(request), mode)
    with sessions(request)() as session:
        return _answer(session, resource_type, resource, resource_id, mode)


@router.get("/{resource_type:fhir_type}/{resource_id:fhir_id}/$validate")
def validate_stored(request: Request, resource_type: str, resource_id: str) -> Response:
    stored_type(resource_type)
    with sessions(request)() as session:
        stored = resource_reads.current(session, resource_type, resource_id)
        if stored is None or stored.resource is None:
            raise FhirError(404, "not-found", f"{resource_type}/{resource_id} is not stored here")
        return _answer(session, resource_type, stored.resource, resource_id, None)


def _resource_and_mode(body: Any, mode: str | None) -> tuple[dict[str, Any] | None, str | None]:
    """The resource, from the body or a Parameters `resource`, and the mode, from either."""
    if isinstance(body, dict) and body.get("resourceType") == "Parameters":
        parameters = {p.get("name"): p for p in body.get("parameter", []) if isinstance(p, dict)}
        resource = parameters.get("resource", {}).get("resource")
        mode = mode or parameters.get("mode", {}).get("valueCode")
        body = resource
    if mode is not None and mode not in MODES:
        raise FhirError(
            400, "invalid", f"mode must be one of {', '.join(MODES)}", expression="mode"
        )
    if body is not None and not isinstance(body, dict):
        raise FhirError(400, "structure", "send one resource, or Parameters with a resource")
    return body, mode


def _answer(
    session: Session,
    resource_type: str,
    resource: dict[str, Any] | None,
    resource_id: str | None,
    mode: str | None,
) -> Response:
    issues: list[Issue] = []
    if mode == "delete":
        if (
            resource_id is None
            or resource_reads.current(session, resource_type, resource_id) is None
        ):
            issues.append(Issue("error", "not-found", resource_type, "there is nothing to delete"))
    elif resource is None:
        raise FhirError(400, "required", "there is no resource to validate")
    else:
        if resource.get("resourceType") != resource_type:
            issues.append(Issue("error", "invalid", "resourceType", f"expected a {resource_type}"))
        if mode == "update" and resource.get("id") != resource_id:
            issues.append(
                Issue("error", "invalid", f"{resource_type}.id", "must be the id in the url")
            )
        issues += check_resource(resource)
        issues += _unknown_targets(session, resource)
    return fhir_json(_outcome(issues))


def _unknown_targets(session: Session, resource: dict[str, Any]) -> list[Issue]:
    """A warning for each reference to a resource of a stored type that is not stored."""
    found: dict[tuple[str, str], str] = {}

    def visit(node: Any, path: str) -> None:
        if isinstance(node, list):
            for i, item in enumerate(node):
                visit(item, f"{path}[{i}]")
        elif isinstance(node, dict):
            target = (
                reference_target(node["reference"])
                if isinstance(node.get("reference"), str)
                else None
            )
            if target and target[0] in STORED_TYPES:
                found.setdefault(target, f"{path}.reference")
            for key, value in node.items():
                visit(value, f"{path}.{key}")

    visit(resource, str(resource.get("resourceType")))
    known = current_versions(session, list(found))
    return [
        Issue("warning", "not-found", path, f"refers to {t}/{i}, which is not stored here")
        for (t, i), path in found.items()
        if (t, i) not in known
    ]


def _outcome(issues: list[Issue]) -> dict[str, Any]:
    if not issues:
        issues = [Issue("information", "informational", "", "no problems found")]
    return {
        "resourceType": "OperationOutcome",
        "issue": [{k: v for k, v in issue.as_fhir().items() if v != [""]} for issue in issues],
    }
