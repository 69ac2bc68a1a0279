"""One module per kind of page; `page_routes` maps each URL to a function that builds a fresh
page for every browser session (its own filters and charts)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import panel as pn

from dashboard.pages import (
    alerts,
    data_quality,
    interventions,
    national,
    overview,
    topic,
    voices,
)
from dashboard.shell import DashboardContext, frame, signed_out
from service.storage.models import DashboardUser

Builder = Callable[[DashboardContext, DashboardUser], Any]


def guarded(context: DashboardContext, path: str, build: Builder) -> Callable[[], Any]:
    def page() -> pn.viewable.Viewable:
        user = context.user()
        if user is None:
            return signed_out()
        return frame(context, path, user, build(context, user))

    return page


def page_routes(context: DashboardContext) -> dict[str, Callable[[], Any]]:
    builders: dict[str, Builder] = {
        "/dashboard": overview.build,
        "/dashboard/indicator": topic.every_indicator,
        "/dashboard/national": national.build,
        "/dashboard/data-quality": data_quality.build,
        "/dashboard/alerts": alerts.build,
        "/dashboard/interventions": interventions.build,
        "/dashboard/voices": voices.build,
    }
    for item in context.pages.topics:
        builders[f"/dashboard/{item.route}"] = topic.for_topic(item)
    return {path: guarded(context, path, build) for path, build in builders.items()}
