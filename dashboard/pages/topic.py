"""Topic pages (birth outcomes, perineal trauma, …, as declared in pages.yaml) and the page of
every indicator: the shared indicator view, plus a topic's own table where it has one (SII/RII
for deprivation, days by level of care for the neonatal unit)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import panel as pn

from dashboard.filters import URL_NAMES, make_filters, query_of
from dashboard.indicator_view import IndicatorView
from dashboard.shell import DashboardContext, Topic, html_pane, main_heading
from dashboard.tables import html_table
from service.indicators.care_days import GROUP_COLUMNS
from service.storage.models import DashboardUser


def indicator_page(
    context: DashboardContext, title: str, indicators: Sequence[str], strata: Sequence[str]
) -> tuple[pn.Column, IndicatorView]:
    results = context.results
    months = [m["period"] for m in _overall_months(context, indicators[0])]
    catalogue = results.catalogue
    site = catalogue.stratifications["site"]
    sites = {
        s["stratum"]: site.name_of(s["stratum"])
        for s in results.series(indicators[0], "site")["strata"]
    }
    filters = make_filters(
        {i: catalogue.indicators[i].title for i in indicators},
        {s: catalogue.stratifications[s].title for s in strata},
        months,
        sites,
        query_of(pn.state.session_args or {}),
    )
    view = IndicatorView(results, filters)
    pn.state.location.sync(filters, URL_NAMES)
    body = pn.Column(
        html_pane(main_heading(title)), view.panel(), sizing_mode="stretch_width", margin=(0, 12)
    )
    return body, view


def _overall_months(context: DashboardContext, indicator_id: str) -> list[dict[str, Any]]:
    strata = context.results.series(indicator_id, "overall")["strata"]
    return list(strata[0]["months"]) if strata else []


def every_indicator(context: DashboardContext, user: DashboardUser) -> pn.Column:
    everything = list(context.results.catalogue.indicators)
    return indicator_page(
        context, "Every indicator", everything, list(context.results.catalogue.stratifications)
    )[0]


def for_topic(topic: Topic) -> Callable[[DashboardContext, DashboardUser], pn.Column]:
    def build(context: DashboardContext, user: DashboardUser) -> pn.Column:
        body, view = indicator_page(context, topic.title, topic.indicators, topic.stratifications)
        if topic.gradient_table:
            body.append(gradient_table(context, view))
        if topic.care_days:
            body.append(care_days_table(context))
        return body

    return build


def gradient_table(context: DashboardContext, view: IndicatorView) -> pn.viewable.Viewable:
    pane = html_pane(sizing_mode="stretch_width")

    def show(*_: Any) -> None:
        stratification = view.filters.stratification
        gradients = context.results.gradients()
        rows = []
        for indicator in context.results.catalogue.indicators.values():
            g = gradients.get((indicator.id, stratification))
            if not g:
                continue
            rows.append(
                {
                    "indicator": indicator.title,
                    "SII": g.get("sii"),
                    "SII 95% CI": _interval(g.get("sii_lower"), g.get("sii_upper")),
                    "RII": g.get("rii"),
                    "RII 95% CI": _interval(g.get("rii_lower"), g.get("rii_upper")),
                }
            )
        caption = (
            f"Slope and relative index of inequality across {stratification.replace('_', ' ')}"
            "s, latest 12 months (SII in the indicator's unit, least minus most deprived as PHE's "
            "phe_sii defines it: negative where the rate is higher in the more deprived areas)"
        )
        pane.object = "<h2>Every indicator by deprivation</h2>" + html_table(
            pd.DataFrame(rows), caption, digits=2
        )

    view.filters.param.watch(show, "stratification")
    show()
    return pane


def _interval(low: float | None, high: float | None) -> str:
    return "" if low is None or high is None else f"{low:,.2f} to {high:,.2f}"


def care_days_table(context: DashboardContext) -> pn.viewable.Viewable:
    choice = pn.widgets.Select(
        name="Days in neonatal care by", options=list(GROUP_COLUMNS), value="overall", width=220
    )
    pane = html_pane(sizing_mode="stretch_width")

    def show(*_: Any) -> None:
        table = context.results.care_days(choice.value)
        pane.object = html_table(
            table,
            "Days in neonatal care by level of care (BAPM), by year of birth; days and babies "
            "rounded to the nearest 5, groups under 8 admitted babies not shown",
        )

    choice.param.watch(show, "value")
    show()
    return pn.Column(
        html_pane("<h2>Days by level of care</h2>"), choice, pane, sizing_mode="stretch_width"
    )
