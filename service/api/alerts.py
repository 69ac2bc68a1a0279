"""`/api/alerts`, `/api/silences` and `/api/deliveries`: the alerts and what was done about
them. Reading needs a token allowed to read `Communication` (alerts are served as FHIR
Communications too); acknowledging, resolving and silencing, to write it."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, Field

from service.alerting import alert_store
from service.alerting.views import (
    alert_history,
    alert_view,
    delivery_log,
    list_alerts,
    list_silences,
    outbox_counts,
    silence_view,
)
from service.api.fhir.outcome import FhirError
from service.api.security import require
from service.indicators.errors import InvalidRequestError, NotFoundError

router = APIRouter(prefix="/api", tags=["alerts"])
RESOURCE = "Communication"
Fingerprint = Path(pattern=r"^[0-9a-f]{8,32}$")


class Action(BaseModel):
    by: str = Field(min_length=1, max_length=128, description="Who (a name or role, not an ID).")
    comment: str | None = Field(None, max_length=2000)


class SilenceRequest(BaseModel):
    matchers: dict[str, str] = Field(
        description="fingerprint, rule, indicator, stratification, stratum or severity → value"
    )
    ends_at: AwareDatetime
    starts_at: AwareDatetime | None = None
    reason: str = Field(min_length=1, max_length=2000)
    author: str = Field(min_length=1, max_length=128)


@router.get("/alerts")
def alerts(
    request: Request,
    status: Literal["pending", "firing", "resolved"] | None = None,
    indicator: str | None = None,
    severity: Literal["high", "medium", "low"] | None = None,
    rule: str | None = None,
    stratification: str | None = None,
    acknowledged: bool | None = None,
) -> list[dict[str, Any]]:
    require(request, "read", RESOURCE)
    with request.app.state.read_sessions() as session:
        return list_alerts(
            session,
            status=status,
            indicator=indicator,
            severity=severity,
            rule=rule,
            stratification=stratification,
            acknowledged=acknowledged,
        )


@router.get("/alerts/{fingerprint}")
def alert(request: Request, fingerprint: str = Fingerprint) -> dict[str, Any]:
    require(request, "read", RESOURCE)
    with request.app.state.read_sessions() as session:
        try:
            row = alert_store.alert_or_404(session, fingerprint)
        except NotFoundError as error:
            raise FhirError(404, "not-found", str(error)) from None
        return {**alert_view(row), "history": alert_history(session, fingerprint)}


@router.post("/alerts/{fingerprint}/acknowledge")
def acknowledge(request: Request, body: Action, fingerprint: str = Fingerprint) -> dict[str, Any]:
    require(request, "write", RESOURCE)
    return _act(request, alert_store.acknowledge, fingerprint, body)


@router.post("/alerts/{fingerprint}/resolve")
def resolve(request: Request, body: Action, fingerprint: str = Fingerprint) -> dict[str, Any]:
    require(request, "write", RESOURCE)
    return _act(request, alert_store.resolve_by_hand, fingerprint, body)


def _act(request: Request, action: Any, fingerprint: str, body: Action) -> dict[str, Any]:
    try:
        with request.app.state.sessions.begin() as session:
            row = action(
                session,
                fingerprint,
                by=body.by,
                comment=body.comment,
                now=request.app.state.clock(),
            )
            return alert_view(row)
    except NotFoundError as error:
        raise FhirError(404, "not-found", str(error)) from None
    except InvalidRequestError as error:
        raise FhirError(409, "conflict", str(error)) from None


@router.get("/silences")
def silences(request: Request) -> list[dict[str, Any]]:
    require(request, "read", RESOURCE)
    with request.app.state.read_sessions() as session:
        return list_silences(session, request.app.state.clock())


@router.post("/silences", status_code=201)
def add_silence(request: Request, body: SilenceRequest) -> JSONResponse:
    require(request, "write", RESOURCE)
    now = request.app.state.clock()
    try:
        with request.app.state.sessions.begin() as session:
            silence = alert_store.add_silence(
                session,
                matchers=body.matchers,
                ends_at=body.ends_at,
                starts_at=body.starts_at,
                reason=body.reason,
                author=body.author,
                now=now,
            )
            view = silence_view(silence, now)
    except InvalidRequestError as error:
        field = str(error).split(":", 1)[0]
        raise FhirError(400, "invalid", str(error), expression=field) from None
    return JSONResponse(view, status_code=201, headers={"Location": f"/api/silences/{view['id']}"})


@router.delete("/silences/{silence_id}")
def expire_silence(request: Request, silence_id: int = Path(ge=1, le=2**31 - 1)) -> dict[str, Any]:
    require(request, "write", RESOURCE)
    now = request.app.state.clock()
    try:
        with request.app.state.sessions.begin() as session:
            return silence_view(alert_store.expire_silence(session, silence_id, now), now)
    except NotFoundError as error:
        raise FhirError(404, "not-found", str(error)) from None


@router.get("/deliveries")
def deliveries(
    request: Request,
    outcome: Literal["delivered", "retry", "failed"] | None = None,
    receiver: str | None = None,
    channel: str | None = None,
    limit: int = 200,
) -> dict[str, Any]:
    """The delivery log, newest first, and how many notifications are in each state."""
    require(request, "read", RESOURCE)
    with request.app.state.read_sessions() as session:
        return {
            "outbox": outbox_counts(session),
            "attempts": delivery_log(
                session,
                outcome=outcome,
                receiver=receiver,
                channel=channel,
                limit=max(1, min(limit, 1000)),
            ),
        }
