"""Reading a resource sent by a client: FHIR JSON only, well-formed, of the type the URL names,
and valid against the R4B structure definitions. Each failure names what is wrong and where."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Request
from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

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
    try:
        return orjson.loads(await request.body())
    except orjson.JSONDecodeError as error:
        raise FhirError(400, "structure", f"the body is not valid JSON: {error}") from None


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
