"""Mounting the dashboard in the FastAPI app: the sign-in routes, the guard, and a Panel
application per page under /dashboard, all on the API's port."""

from __future__ import annotations

import panel as pn
from fastapi import FastAPI
from fastapi.responses import Response
from panel.io.fastapi import add_applications

from dashboard import accessibility_statement, auth
from dashboard.pages import page_routes
from dashboard.results import StoredResults
from dashboard.shell import DashboardContext, DashboardDesign, load_pages
from service.indicators.catalogue import load_catalogue

TITLE = "Perinatal equity"


def mount_dashboard(app: FastAPI, measures: list[str] | None = None) -> None:
    catalogue = load_catalogue()
    context = DashboardContext(
        app_state=app.state,
        results=StoredResults(lambda: app.state.read_sessions, catalogue),
        pages=load_pages(set(catalogue.indicators), measures),
    )
    app.include_router(auth.router)
    app.include_router(accessibility_statement.router)
    app.middleware("http")(auth.guard)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    pn.config.design = DashboardDesign
    routes = page_routes(context)
    # bokeh-fastapi mounts Bokeh's and Panel's scripts at /static, whatever its prefix: the pages
    # are therefore given their full paths rather than a prefix.
    add_applications(routes, app=app, title={path: TITLE for path in routes})
