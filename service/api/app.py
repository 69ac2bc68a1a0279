"""The FastAPI application factory. Nothing connects at import time: the engine is made, and the
schema migrated, in the lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from service.api import health
from service.api.fhir import read as fhir_read
from service.api.fhir import update as fhir_update
from service.api.fhir.outcome import install_error_handlers
from service.clock import Clock, utc_now
from service.config import Settings
from service.storage import migrate
from service.storage.engine import make_engine, make_session_factory


def create_app(settings: Settings, clock: Clock = utc_now) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url)
        migrate.upgrade(engine)
        app.state.engine = engine
        app.state.sessions = make_session_factory(engine)
        try:
            yield
        finally:
            engine.dispose()

    app = FastAPI(title="Perinatal equity", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    app.state.clock = clock
    app.include_router(health.router)
    app.include_router(fhir_read.router)
    app.include_router(fhir_update.router)
    install_error_handlers(app)
    return app
