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


async def resource_body(request: Request, resource_type: str) -> dict[str, Any]:
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type not in ACCEPTED_MEDIA_TYPES:
        raise FhirError(
            415,
            "not-supported",
            f"send the resource as application/fhir+json (got {media_type or 'no content type'!r})",
        )
    try:
        resource = orjson.loads(await request.body())
    except orjson.JSONDecodeError as error:
        raise FhirError(400, "structure", f"the body is not valid JSON: {error}") from None
    if not isinstance(resource, dict):
        raise FhirError(400, "structure", "the body must be one JSON object, a FHIR resource")
    if resource.get("resourceType") != resource_type:
        raise FhirError(
            400,
            "invalid",
            f"resourceType is {resource.get('resourceType')!r}, but the URL names {resource_type}",
            expression="resourceType",
        )
    try:
        get_fhir_model_class(resource_type).model_validate(resource)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or resource_type
        raise FhirError(
            400,
            "structure",
            f"{where}: {first['msg'].removeprefix('Value error, ')}",
            expression=f"{resource_type}.{where}",
        ) from None
    return dict(resource)
