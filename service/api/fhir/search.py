"""Search (FHIR R4 §3.1.0.8, §3.1.1): `GET [type]?…` and `POST [type]/_search` with a form
body, answered with a `searchset` Bundle. Unknown parameters are ignored and reported in an
OperationOutcome entry, or refused with 400 under `Prefer: handling=strict`."""

from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from service.api.audit import audit_read
from service.api.fhir import bundles
from service.api.fhir.context import fhir_base, json_format, prefers, read_sessions, stored_type
from service.api.fhir.outcome import FhirError
from service.api.fhir.responses import fhir_json
from service.api.security import authorise
from service.search.request import SearchRequestError, parse_search
from service.search.results import run_search
from service.storage.resource_writes import compartment_of

router = APIRouter(
    prefix="/fhir", tags=["fhir"], dependencies=[Depends(json_format), Depends(authorise)]
)
FORM = "application/x-www-form-urlencoded"


@router.get("/{resource_type:fhir_type}")
def search_by_get(request: Request, resource_type: str) -> Response:
    return search(request, resource_type, list(request.query_params.multi_items()))


@router.post("/{resource_type:fhir_type}/_search")
async def search_by_post(request: Request, resource_type: str) -> Response:
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    body = await request.body()
    if body and media_type != FORM:
        raise FhirError(415, "not-supported", f"send the search parameters as {FORM}")
    form = parse_qsl(body.decode(), keep_blank_values=True)
    return search(request, resource_type, [*request.query_params.multi_items(), *form])


def search(request: Request, resource_type: str, query: list[tuple[str, str]]) -> Response:
    stored_type(resource_type)
    try:
        search_request = parse_search(
            resource_type, query, strict=prefers(request, "handling=strict")
        )
    except SearchRequestError as error:
        raise FhirError(400, "invalid", str(error), expression=error.parameter) from None
    with read_sessions(request)() as session:
        results = run_search(session, search_request)
    bundle = bundles.searchset(
        fhir_base(request), resource_type, query, results, ignored=search_request.ignored
    )
    patients = {
        f"Patient/{patient}"
        for resource in (*results.matches, *results.included)
        if (patient := compartment_of(resource))
    }
    audit_read(
        request,
        resource_type,
        interaction="search-type",
        entities=patients,
        query=str(request.url.query),
    )
    return fhir_json(bundle)
