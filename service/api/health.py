"""`/healthz`: liveness and readiness, which means the database answers at the expected schema."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from service.storage import migrate

router = APIRouter()


@router.get("/healthz", tags=["operations"])
def healthz(request: Request) -> JSONResponse:
    engine = request.app.state.engine
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        revision = migrate.current_revision(engine)
    except Exception as error:  # noqa: BLE001 - any failure means not ready
        return JSONResponse(
            {"status": "unavailable", "database": type(error).__name__}, status_code=503
        )
    expected = migrate.head_revision()
    ready = revision == expected
    return JSONResponse(
        {
            "status": "ok" if ready else "unavailable",
            "database": "ok",
            "schema": revision,
            "expected_schema": expected,
        },
        status_code=200 if ready else 503,
    )
