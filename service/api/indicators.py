"""`/api/indicators` and `/api/interventions`: the indicator results as the dashboard and other
tools read them (disclosure-controlled), and interventions recorded against a chart.

Reading needs a token allowed to read `Measure`; recording an intervention, to write it (the
catalogue is served as FHIR `Measure` resources, and an intervention annotates one).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from service.api.fhir.outcome import FhirError
from service.api.security import require
from service.indicators import store
from service.indicators.catalogue import load_catalogue
from service.indicators.errors import InvalidRequestError, NotFoundError
from service.indicators.intervention_log import record_intervention
from service.indicators.published import (
    funnel_view,
    intervention_report,
    intervention_view,
    overview,
    series_view,
)

router = APIRouter(prefix="/api", tags=["indicators"])


class InterventionRequest(BaseModel):
    indicator: str = Field(description="The catalogue id of the indicator it addresses.")
    date: date
    description: str = Field(min_length=1, max_length=2000)
    owner: str = Field(min_length=1, max_length=128)
    stratification: str = "overall"
    stratum: str = "all"
    rebase: bool = Field(False, description="Restart the chart's limits from this month.")


@router.get("/indicators")
def list_indicators(request: Request) -> list[dict[str, Any]]:
    require(request, "read", "Measure")
    with request.app.state.read_sessions() as session:
        return overview(session, load_catalogue())


@router.get("/indicators/{indicator_id}")
def indicator_series(
    request: Request, indicator_id: str, stratification: str = "overall"
) -> dict[str, Any]:
    require(request, "read", "Measure")
    with request.app.state.read_sessions() as session:
        try:
            return series_view(session, load_catalogue(), indicator_id, stratification)
        except NotFoundError as error:
            raise FhirError(404, "not-found", str(error)) from None


@router.get("/indicators/{indicator_id}/funnel")
def indicator_funnel(
    request: Request,
    indicator_id: str,
    stratification: str,
    start: str = Query(alias="from", pattern=r"^\d{4}-\d{2}$", description="First month, YYYY-MM"),
    end: str = Query(alias="to", pattern=r"^\d{4}-\d{2}$", description="Last month, YYYY-MM"),
) -> dict[str, Any]:
    """Funnel limits across the groups of a stratification for a chosen period."""
    require(request, "read", "Measure")
    with request.app.state.read_sessions() as session:
        try:
            return funnel_view(
                session,
                load_catalogue(),
                indicator_id,
                stratification,
                _month(start, "from"),
                _month(end, "to"),
            )
        except NotFoundError as error:
            raise FhirError(404, "not-found", str(error)) from None
        except InvalidRequestError as error:
            raise FhirError(400, "invalid", str(error)) from None


def _month(value: str, name: str) -> date:
    year, month = int(value[:4]), int(value[5:])
    if not 1 <= month <= 12:
        raise FhirError(400, "invalid", f"{name}: no month {month}", expression=name)
    return date(year, month, 1)


@router.get("/interventions")
def list_interventions(request: Request, indicator: str | None = None) -> list[dict[str, Any]]:
    require(request, "read", "Measure")
    with request.app.state.read_sessions() as session:
        return [intervention_view(i) for i in store.interventions(session, indicator)]


@router.post("/interventions", status_code=201)
def add_intervention(request: Request, body: InterventionRequest) -> JSONResponse:
    client = require(request, "write", "Measure")
    try:
        view = record_intervention(
            request.app.state.sessions,
            now=request.app.state.clock,
            indicator_id=body.indicator,
            started_on=body.date,
            description=body.description,
            owner=body.owner,
            stratification=body.stratification,
            stratum=body.stratum,
            rebase=body.rebase,
            recorded_by=client.name,
        )
    except NotFoundError as error:
        raise FhirError(400, "invalid", f"indicator: {error}", expression="indicator") from None
    except InvalidRequestError as error:
        field = str(error).split(":", 1)[0]
        raise FhirError(400, "invalid", str(error), expression=field) from None
    return JSONResponse(
        view, status_code=201, headers={"Location": f"/api/interventions/{view['id']}"}
    )


@router.get("/interventions/{intervention_id}/report")
def report(request: Request, intervention_id: int = Path(ge=1, le=2**31 - 1)) -> dict[str, Any]:
    require(request, "read", "Measure")
    with request.app.state.read_sessions() as session:
        try:
            return intervention_report(session, load_catalogue(), intervention_id)
        except NotFoundError as error:
            raise FhirError(404, "not-found", str(error)) from None
