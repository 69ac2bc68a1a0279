"""`/healthz`: liveness and readiness. Ready means the database answers at the expected schema.
It also says whether a scheduler is alive, which does not affect readiness: the API serves
without one, but nobody recomputes or alerts."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from service.scheduling.heartbeat import live_schedulers
from service.storage import migrate

router = APIRouter()


@router.get("/healthz", tags=["operations"])
def healthz(request: Request) -> JSONResponse:
    state = request.app.state
    try:
        # One connection for every check: under load, asking the pool for a second while
        # holding the first could wait on itself.
        with state.sessions() as session:
            session.execute(text("SELECT 1"))
            revision = migrate.revision_of(session.connection())
            schedulers = _schedulers(session, state) if revision is not None else []
    except Exception as error:  # noqa: BLE001 - any failure means not ready
        return JSONResponse(
            {"status": "unavailable", "database": type(error).__name__}, status_code=503
        )
    expected = migrate.head_revision()
    ready = revision == expected
    body: dict[str, Any] = {
        "status": "ok" if ready else "unavailable",
        "database": "ok",
        "schema": revision,
        "expected_schema": expected,
        "schedulers": schedulers,
    }
    return JSONResponse(body, status_code=200 if ready else 503)


def _schedulers(session: Any, state: Any) -> list[dict[str, str]]:
    now = state.clock()
    interval = state.settings.scheduler_heartbeat_seconds
    return [
        {"hostname": s.hostname, "last_heartbeat": s.beat_at.isoformat()}
        for s in live_schedulers(session, now, interval)
    ]
