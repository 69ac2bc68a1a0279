"""The FastAPI application factory. Nothing connects at import time: the engine is made, and the
schema migrated, in the lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

from fastapi import FastAPI

from dashboard.app import mount_dashboard
from service.api import alerts, health, indicators, ingest_upload
from service.api.audit import AuditTrail
from service.api.fhir import (
    capabilities,
    export,
    history,
    measures,
    read,
    search,
    transaction,
    validate,
    write,
)
from service.api.fhir.outcome import install_error_handlers
from service.api.fhir.resource_types import STORED_TYPES
from service.api.security import clients_by_token
from service.clock import Clock, utc_now
from service.config import Settings, load_settings
from service.storage import migrate
from service.storage.engine import make_engine, make_session_factory


def app_from_environment() -> FastAPI:
    """The app for uvicorn's worker processes, each of which reads the settings itself."""
    return create_app(load_settings())


def create_app(settings: Settings, clock: Clock = utc_now) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url)
        migrate.upgrade(engine)
        app.state.engine = engine
        app.state.sessions = make_session_factory(engine)
        app.state.read_sessions = make_session_factory(
            engine.execution_options(isolation_level="AUTOCOMMIT")
        )
        app.state.audit = AuditTrail(app.state.sessions, clock)
        app.state.audit.start()
        export.interrupt_running_exports(app.state.sessions)
        app.state.export_workers = ThreadPoolExecutor(2, thread_name_prefix="bulk-export")
        try:
            yield
        finally:
            export.interrupt_running_exports(app.state.sessions)
            app.state.export_workers.shutdown(wait=True, cancel_futures=True)
            await app.state.audit.stop()
            engine.dispose()

    app = FastAPI(title="Perinatal equity", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    app.state.clock = clock
    app.state.api_clients = clients_by_token(settings.api_tokens)
    # Operation name → the levels it runs at; the CapabilityStatement advertises exactly these.
    app.state.fhir_operations = {
        "validate": list(STORED_TYPES),
        "export": export.OPERATION_LEVELS,
    }
    app.include_router(health.router)
    app.include_router(ingest_upload.router)
    app.include_router(indicators.router)
    app.include_router(alerts.router)
    # The path convertors (fhir_type, fhir_id) keep the routes apart, so the order is free:
    # the most frequent interactions come first, as routes are tried in order.
    for router in (
        measures.router,  # before the generic routes, which would answer 404 for these types
        read.router,
        search.router,
        write.router,
        capabilities.router,
        history.router,
        validate.router,
        export.router,
        transaction.router,
    ):
        app.include_router(router)
    mount_dashboard(app, settings.dashboard_measures or None)
    install_error_handlers(app)
    return app
