"""`Measure` and `MeasureReport`: the indicator catalogue and its computed results, served
read-only from the indicator tables (never stored as resources: each run would otherwise
rewrite thousands of versions). One MeasureReport per indicator and month, its id
`<indicator>-<YYYY-MM>`, with a stratifier per stratification, disclosure-controlled.

Search: Measure by `_id` and `url`; MeasureReport by `_id`, `measure` (id, `Measure/id` or the
canonical URL) and `period` / `date` (eq, ge, gt, le, lt on the report's month), paged by
`_count` and `_offset`.

NHS England's CQIMs are Measures too (ids `CQIMPreterm`, …). Their figures span any window a
caller asks for, so they are computed on request by the standard operation
`Measure/<id>/$evaluate-measure?periodStart=YYYY-MM-DD&periodEnd=YYYY-MM-DD`: with
`reporter=<ODS code>` one MeasureReport for that provider; without it, a `collection` Bundle of
one MeasureReport per provider (R4's operation returns one report, for one subject; a region
holds several providers, and one request for all of them is what an LMNS analyst needs)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.api.fhir.context import fhir_base, json_format
from service.api.fhir.outcome import FhirError
from service.api.fhir.responses import fhir_json
from service.api.security import require
from service.indicators import store
from service.indicators.catalogue import Catalogue, Indicator, load_catalogue
from service.indicators.fhir_measures import MEASURE_BASE, measure, measure_report
from service.national.cqim import Cqim, fields_read, load_cqims, national_figures
from service.national.fhir_reports import cqim_measure, cqim_report, reports_bundle
from service.national.records import read_national_records
from service.projection.reference_tables import hes_deliveries
from service.storage.models import IndicatorCount

router = APIRouter(prefix="/fhir", tags=["fhir"], dependencies=[Depends(json_format)])
# Declared here, read by the CapabilityStatement: the computed types and their search.
COMPUTED_TYPES: dict[str, dict[str, str]] = {
    "Measure": {"_id": "token", "url": "uri"},
    "MeasureReport": {"_id": "token", "measure": "reference", "period": "date", "date": "date"},
}
DEFAULT_COUNT, MAXIMUM_COUNT = 50, 1000
DATE_PARAMETER = re.compile(r"^(eq|ne|ge|gt|le|lt)?(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


def _indicator_by_resource_id(catalogue: Catalogue, resource_id: str) -> Indicator | None:
    return catalogue.indicators.get(resource_id.replace("-", "_"))


@router.get("/Measure")
def search_measures(request: Request) -> Response:
    require(request, "read", "Measure")
    catalogue = load_catalogue()
    query = _query(request, COMPUTED_TYPES["Measure"])
    wanted_ids = _split(query.get("_id"))
    wanted_urls = _split(query.get("url"))
    every = [measure(indicator, catalogue) for indicator in catalogue.indicators.values()]
    every += [cqim_measure(cqim) for cqim in load_cqims()]
    resources = [
        resource
        for resource in every
        if (not wanted_ids or resource["id"] in wanted_ids)
        and (not wanted_urls or resource["url"] in wanted_urls)
    ]
    return fhir_json(_searchset(request, "Measure", resources, len(resources), 0, len(resources)))


@router.get("/Measure/{resource_id}")
def read_measure(request: Request, resource_id: str) -> Response:
    require(request, "read", "Measure")
    catalogue = load_catalogue()
    indicator = _indicator_by_resource_id(catalogue, resource_id)
    if indicator is not None:
        return fhir_json(measure(indicator, catalogue))
    return fhir_json(cqim_measure(_cqim(resource_id)))


@router.get("/Measure/{resource_id}/$evaluate-measure")
def evaluate_measure(request: Request, resource_id: str) -> Response:
    require(request, "read", "MeasureReport")
    cqim = _cqim(resource_id)
    query = _query(request, {"periodStart": "date", "periodEnd": "date", "reporter": "token"})
    start, end = (_day(query.get(name), name) for name in ("periodStart", "periodEnd"))
    if end < start:
        raise FhirError(400, "invalid", "periodEnd is before periodStart", expression="periodEnd")
    reporter = query.get("reporter", "").rpartition("|")[2].removeprefix("Organization/")
    with request.app.state.read_sessions() as session:
        # Every birth and booking: a woman booked in the window gives birth months later.
        births = read_national_records(session, fields_read([cqim]))
        hes = hes_deliveries(session)
    figures = national_figures(births, [cqim], start, end, hes_deliveries=hes)
    computed_at = request.app.state.clock()
    if not reporter:
        return fhir_json(reports_bundle([cqim], figures, computed_at))
    for figure in figures:
        if figure.org_code == reporter:
            return fhir_json(cqim_report(cqim, figure, computed_at))
    raise FhirError(
        404, "not-found", f"no births of provider {reporter} are dated in the period",
        expression="reporter",
    )  # fmt: skip


def _cqim(resource_id: str) -> Cqim:
    for cqim in load_cqims():
        if cqim.id == resource_id:
            return cqim
    raise FhirError(404, "not-found", f"Measure/{resource_id} is not known")


def _day(value: str | None, name: str) -> date:
    if value is None:
        raise FhirError(400, "required", f"{name} is required (YYYY-MM-DD)", expression=name)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FhirError(
            400, "invalid", f"{name}: a date such as 2024-01-31, not {value!r}", expression=name
        ) from None


@router.get("/MeasureReport")
def search_reports(request: Request) -> Response:
    require(request, "read", "MeasureReport")
    catalogue = load_catalogue()
    query = _query(request, COMPUTED_TYPES["MeasureReport"])
    count = _bounded_int(query.get("_count"), "_count", DEFAULT_COUNT, MAXIMUM_COUNT)
    offset = _bounded_int(query.get("_offset"), "_offset", 0, 10**9)
    indicators = _wanted_indicators(catalogue, query)
    periods = [
        _date_range(v, name)
        for name in ("period", "date")
        for v in request.query_params.getlist(name)
    ]
    with request.app.state.read_sessions() as session:
        keys = _report_keys(session, indicators, periods)
        page = keys[offset : offset + count]
        resources = [_report(session, catalogue, *key) for key in page]
    return fhir_json(_searchset(request, "MeasureReport", resources, len(keys), offset, count))


@router.get("/MeasureReport/{resource_id}")
def read_report(request: Request, resource_id: str) -> Response:
    require(request, "read", "MeasureReport")
    catalogue = load_catalogue()
    match = re.fullmatch(r"(.+)-(\d{4})-(\d{2})", resource_id)
    indicator = _indicator_by_resource_id(catalogue, match.group(1)) if match else None
    if match is None or indicator is None or not 1 <= int(match.group(3)) <= 12:
        raise FhirError(404, "not-found", f"MeasureReport/{resource_id} is not known")
    period = date(int(match.group(2)), int(match.group(3)), 1)
    with request.app.state.read_sessions() as session:
        if not _report_keys(session, [indicator.id], [(period, _next_month(period))]):
            raise FhirError(404, "not-found", f"MeasureReport/{resource_id} is not known")
        return fhir_json(_report(session, catalogue, indicator.id, period))


def _query(request: Request, supported: dict[str, str]) -> dict[str, str]:
    query = dict(request.query_params)
    unknown = sorted(set(query) - set(supported) - {"_count", "_offset", "_format"})
    if unknown:
        raise FhirError(
            400, "not-supported", f"search parameters not supported here: {', '.join(unknown)}"
        )
    return query


def _split(value: str | None) -> set[str]:
    return {v for v in (value or "").split(",") if v}


def _bounded_int(value: str | None, name: str, default: int, maximum: int) -> int:
    if value is None:
        return default
    if not value.isdigit():
        raise FhirError(400, "invalid", f"{name}: a whole number, not {value!r}", expression=name)
    return min(int(value), maximum)


def _wanted_indicators(catalogue: Catalogue, query: dict[str, str]) -> list[str]:
    wanted = list(catalogue.indicators)
    if "measure" in query:
        names = {
            v.removeprefix(f"{MEASURE_BASE}/").removeprefix("Measure/").replace("-", "_")
            for v in _split(query["measure"])
        }
        wanted = [i for i in wanted if i in names]
    if "_id" in query:
        ids = _split(query["_id"])
        wanted = [i for i in wanted if any(x.startswith(i.replace("_", "-") + "-") for x in ids)]
    return wanted


def _date_range(value: str, name: str) -> tuple[date, date]:
    """The months a `period` value selects, as [first, end)."""
    match = DATE_PARAMETER.match(value)
    if match is None:
        raise FhirError(400, "invalid", f"{name}: a date such as ge2024-01, not {value!r}")
    prefix, year, month, _ = match.groups()
    low = date(int(year), int(month or 1), 1)
    high = date(int(year) + 1, 1, 1) if month is None else _next_month(low)
    floor, ceiling = date(1900, 1, 1), date(9999, 1, 1)
    return {
        None: (low, high),
        "eq": (low, high),
        "ge": (low, ceiling),
        "gt": (high, ceiling),
        "le": (floor, high),
        "lt": (floor, low),
    }.get(prefix, (low, high))


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _report_keys(
    session: Session, indicators: list[str], periods: list[tuple[date, date]]
) -> list[tuple[str, date]]:
    if not indicators:
        return []
    statement = (
        select(IndicatorCount.indicator_id, IndicatorCount.period)
        .where(
            IndicatorCount.stratification == "overall",
            IndicatorCount.indicator_id.in_(indicators),
        )
        .order_by(IndicatorCount.indicator_id, IndicatorCount.period)
    )
    for low, high in periods:
        statement = statement.where(IndicatorCount.period >= low, IndicatorCount.period < high)
    return [(indicator, period) for indicator, period in session.execute(statement)]


def _report(
    session: Session, catalogue: Catalogue, indicator_id: str, period: date
) -> dict[str, Any]:
    rows = session.execute(
        select(
            IndicatorCount.stratification,
            IndicatorCount.stratum,
            IndicatorCount.population,
            IndicatorCount.complete,
            IndicatorCount.denominator,
            IndicatorCount.numerator,
        ).where(IndicatorCount.indicator_id == indicator_id, IndicatorCount.period == period)
    ).mappings()
    run = store.latest_run(session)
    computed_at = run.finished_at if run and run.finished_at else run.started_at if run else None
    return measure_report(
        catalogue.indicators[indicator_id],
        catalogue,
        period,
        [dict(r) for r in rows],
        computed_at,  # type: ignore[arg-type]
    )


def _searchset(
    request: Request,
    resource_type: str,
    resources: list[dict[str, Any]],
    total: int,
    offset: int,
    count: int,
) -> dict[str, Any]:
    base = fhir_base(request)
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "_offset"]

    def link(relation: str, at: int) -> dict[str, str]:
        return {
            "relation": relation,
            "url": f"{base}/{resource_type}?{urlencode([*kept, ('_offset', str(at))])}",
        }

    links = [link("self", offset)]
    if offset + count < total:
        links.append(link("next", offset + count))
    if offset > 0:
        links.append(link("previous", max(0, offset - count)))
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": links,
    }
    if resources:
        bundle["entry"] = [
            {
                "fullUrl": f"{base}/{resource_type}/{r['id']}",
                "resource": r,
                "search": {"mode": "match"},
            }
            for r in resources
        ]
    return bundle
