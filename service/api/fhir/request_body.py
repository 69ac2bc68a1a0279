"""Reading a resource sent by a client: FHIR JSON only, no larger than the configured limit,
well-formed, of the type the URL names, valid against the R4B structure definitions and the
product's own rules (required bindings, reference targets, NHS numbers, UK Core extensions,
no empty elements). Each failure names what is wrong and where."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Request
from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from fhir_mappings.fhir.conformance import conformance_issues
from service.api.fhir.outcome import FhirError

ACCEPTED_MEDIA_TYPES = {"application/fhir+json", "application/json"}


async def json_body(request: Request) -> Any:
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type not in ACCEPTED_MEDIA_TYPES:
        raise FhirError(
            415,
            "not-supported",
            f"send the resource as application/fhir+json (got {media_type or 'no content type'!r})",
        )
    limit = request.app.state.settings.request_max_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(int(declared), limit)
    body = bytearray()
    async for chunk in request.stream():  # read no further than the limit allows
        body += chunk
        if len(body) > limit:
            raise _too_large(len(body), limit)
    try:
        return orjson.loads(bytes(body))
    except orjson.JSONDecodeError as error:
        raise FhirError(400, "structure", f"the body is not valid JSON: {error}") from None


def _too_large(size: int, limit: int) -> FhirError:
    return FhirError(
        413,
        "too-costly",
        f"the request body is over {limit:,} bytes (at least {size:,}); "
        "send fewer entries per Bundle, or raise PERINATAL_REQUEST_MAX_BYTES",
    )


async def resource_body(request: Request, resource_type: str) -> dict[str, Any]:
    return checked_resource(await json_body(request), resource_type)


def checked_resource(
    resource: Any, resource_type: str | None, *, where: str = ""
) -> dict[str, Any]:
    """The resource if it is one, of `resource_type` (any, if None) and structurally valid;
    otherwise a 400 naming the element (prefixed with `where`, e.g. a Bundle entry)."""
    if not isinstance(resource, dict):
        raise FhirError(
            400, "structure", f"{where}the body must be one JSON object, a FHIR resource"
        )
    actual = resource.get("resourceType")
    if resource_type is not None and actual != resource_type:
        raise FhirError(
            400,
            "invalid",
            f"{where}resourceType is {actual!r}, but the URL names {resource_type}",
            expression="resourceType",
        )
    try:
        model = get_fhir_model_class(str(actual))
    except ValueError:
        raise FhirError(
            400,
            "invalid",
            f"{where}{actual!r} is not a FHIR resource type",
            expression="resourceType",
        ) from None
    structure_problem = structure_error(model, resource)
    if structure_problem is not None:
        path, message = structure_problem
        raise FhirError(
            400, "structure", f"{where}{path}: {message}", expression=f"{actual}.{path}"
        )
    problems = [i for i in conformance_issues(resource) if i.severity == "error"]
    if problems:
        first = problems[0]
        raise FhirError(
            400, first.code, f"{where}{first.expression}: {first.diagnostics}",
            expression=first.expression,
        )  # fmt: skip
    return dict(resource)


def structure_error(model: Any, resource: dict[str, Any]) -> tuple[str, str] | None:
    """(element path, reason) of the first structural problem, or None."""
    try:
        model.model_validate(resource)
    except ValidationError as error:
        first = error.errors()[0]
        path = ".".join(str(part) for part in first["loc"]) or str(resource.get("resourceType"))
        return path, first["msg"].removeprefix("Value error, ")
    return None
