"""FHIR JSON responses: `application/fhir+json`, with the version headers a client caches by."""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime
from typing import Any

import orjson
from fastapi.responses import Response

FHIR_JSON = "application/fhir+json"
# `_format` values meaning JSON (FHIR R4 §3.1.0.1.6); XML and Turtle are not offered.
JSON_FORMATS = {"json", "application/json", "application/fhir+json", FHIR_JSON}


def fhir_json(
    resource: dict[str, Any],
    *,
    status: int = 200,
    version_id: str | None = None,
    last_updated: datetime | None = None,
) -> Response:
    headers = {}
    if version_id is not None:
        headers["ETag"] = f'W/"{version_id}"'
    if last_updated is not None:
        headers["Last-Modified"] = format_datetime(last_updated, usegmt=True)
    return Response(
        orjson.dumps(resource),
        status_code=status,
        media_type=f"{FHIR_JSON}; charset=utf-8",
        headers=headers,
    )
