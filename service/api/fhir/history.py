"""History (FHIR R4 §3.1.0.10): every version of one resource, or of every resource of a type
(`_since`, `_count`, and a `next` link to older versions)."""

from __future__ import annotations

import base64
from datetime import datetime
from urllib.parse import urlencode

import orjson
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from service.api.audit import audit_read
from service.api.fhir import bundles
from service.api.fhir.context import fhir_base, json_format, read_sessions, stored_type
from service.api.fhir.outcome import FhirError
from service.api.fhir.responses import fhir_json
from service.api.security import authorise
from service.search.dates import date_range
from service.search.request import DEFAULT_COUNT, MAX_COUNT
from service.storage import resource_reads

router = APIRouter(
    prefix="/fhir", tags=["fhir"], dependencies=[Depends(json_format), Depends(authorise)]
)


@router.get("/{resource_type:fhir_type}/_history")
def type_history(
    request: Request,
    resource_type: str,
    since: str | None = Query(None, alias="_since"),
    count: int = Query(DEFAULT_COUNT, alias="_count", ge=0),
    page: str | None = Query(None, alias="_page"),
) -> Response:
    stored_type(resource_type)
    try:
        since_instant = date_range(since)[0] if since else None
    except ValueError as error:
        raise FhirError(400, "invalid", f"_since: {error}", expression="_since") from None
    limit = min(count, MAX_COUNT)
    with read_sessions(request)() as session:
        versions = resource_reads.type_history(
            session, resource_type, since=since_instant, limit=limit + 1, before=_cursor(page)
        )
    base = fhir_base(request)
    bundle = bundles.history(
        base,
        str(request.url),
        [(resource_type, resource_id, stored) for resource_id, stored in versions[:limit]],
        total=None,
    )
    if len(versions) > limit and limit:
        last_id, last = versions[limit - 1]
        token = orjson.dumps([last.last_updated.isoformat(), last_id, last.version_id])
        kept = [(k, v) for k, v in request.query_params.multi_items() if k != "_page"]
        cursor = base64.urlsafe_b64encode(token).decode()
        bundle["link"].append(
            {
                "relation": "next",
                "url": f"{base}/{resource_type}/_history?{urlencode([*kept, ('_page', cursor)])}",
            }
        )
    audit_read(request, resource_type, interaction="history-type", entities=[])
    return fhir_json(bundle)


@router.get("/{resource_type:fhir_type}/{resource_id:fhir_id}/_history")
def instance_history(request: Request, resource_type: str, resource_id: str) -> Response:
    stored_type(resource_type)
    with read_sessions(request)() as session:
        versions = resource_reads.history(session, resource_type, resource_id)
    if not versions:
        raise FhirError(404, "not-found", f"{resource_type}/{resource_id} is not known")
    bundle = bundles.history(
        fhir_base(request),
        str(request.url),
        [(resource_type, resource_id, stored) for stored in versions],
        total=len(versions),
    )
    audit_read(
        request,
        resource_type,
        interaction="history-instance",
        entities=[f"{resource_type}/{resource_id}"],
    )
    return fhir_json(bundle)


def _cursor(page: str | None) -> tuple[datetime, str, int] | None:
    if page is None:
        return None
    try:
        stamp, resource_id, version = orjson.loads(base64.urlsafe_b64decode(page))
        return datetime.fromisoformat(stamp), str(resource_id), int(version)
    except (ValueError, TypeError):
        raise FhirError(
            400, "invalid", "_page is not a page this server gave out", expression="_page"
        ) from None
