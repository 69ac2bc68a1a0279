"""National measures: NHS England's CQIMs as its definitions give them, computed from this
region's records, per provider. A unit sees each measure's latest rolling quarter, the chosen
measure's months on an SPC chart, and a link to the product's own indicator nearest it, charted
by ethnicity, language, deprivation and age. Counts are disclosure-controlled."""

from __future__ import annotations

import html
from typing import Any

import pandas as pd
import panel as pn

from dashboard.charts.spc import SpcChart
from dashboard.pages.overview import link_for
from dashboard.shell import DashboardContext, html_pane, main_heading
from dashboard.tables import html_table
from dashboard.theme import variation
from service.national.cqim import Cqim, NationalFigure, load_cqims
from service.national.disclosed import shown_figure
from service.national.monthly import chart_months
from service.storage.models import DashboardUser

INTRODUCTION = (
    main_heading("National measures")
    + "<p>NHS England's Clinical Quality Improvement Metrics (CQIMs), "
    "computed from this region's records exactly as NHS England's published code defines them, "
    "per provider. A rate is withheld where too few records carry the fields it needs, or where "
    "the counts are too small to publish (counts are rounded to the nearest 5).</p>"
)


def build(context: DashboardContext, user: DashboardUser) -> pn.Column:
    cqims = [c for c in load_cqims() if c.not_computed is None]
    months = context.results.national_months()
    providers = sorted({f.org_code for f in months})
    if not providers:
        return pn.Column(html_pane(INTRODUCTION + "<p>No births loaded yet.</p>"), margin=(0, 12))
    measure = pn.widgets.Select(
        name="Measure", options={c.title: c.id for c in cqims}, value=cqims[0].id, width=420
    )
    provider = pn.widgets.Select(name="Provider", options=providers, value=providers[0], width=160)
    chart = SpcChart()
    summary = html_pane(sizing_mode="stretch_width")
    quarter = html_pane(sizing_mode="stretch_width")
    by_id = {c.id: c for c in cqims}

    def refresh(*_: Any) -> None:
        cqim = by_id[measure.value]
        figures = [f for f in months if f.measure == cqim.id and f.org_code == provider.value]
        charted = chart_months(cqim, figures)
        unit = f"per {cqim.per:,}"
        chart.show(charted, [], title=f"{cqim.title}: provider {provider.value}", unit=unit)
        summary.object = _summary(context, cqim, charted)
        quarter.object = _quarter(context, cqims, provider.value)

    measure.param.watch(refresh, "value")
    provider.param.watch(refresh, "value")
    refresh()
    return pn.Column(
        html_pane(INTRODUCTION, sizing_mode="stretch_width"),
        pn.Row(measure, provider),
        summary,
        pn.pane.Bokeh(chart.figure, sizing_mode="stretch_width"),
        quarter,
        sizing_mode="stretch_width",
        margin=(0, 12),
    )


def _summary(context: DashboardContext, cqim: Cqim, months: list[dict[str, Any]]) -> str:
    latest = next((m for m in reversed(months) if m["rate"] is not None), None)
    if latest is None:
        said = "No month of this measure is published yet."
    else:
        signal = variation(latest["point_type"]).label
        said = (
            f"Latest published month {latest['period']}: <strong>{latest['rate']:,.1f}</strong> "
            f"per {cqim.per:,} ({latest['numerator']:,} of {latest['denominator']:,}); "
            f"{html.escape(signal.lower())}."
        )
    if cqim.indicator:
        title = context.results.catalogue.indicators[cqim.indicator].title
        said += (
            f' By group (ethnicity, language, deprivation, age): <a href="'
            f'{html.escape(link_for(context, cqim.indicator))}">{html.escape(title)}</a>, '
            "the product's own indicator nearest this measure."
        )
    return f'<p data-testid="national-summary">{said}</p>'


def _quarter(context: DashboardContext, cqims: list[Cqim], org_code: str) -> str:
    figures = [f for f in context.results.national_window() if f.org_code == org_code]
    if not figures:
        return ""
    rows = [_row(c, f) for c in cqims for f in figures if f.measure == c.id]
    first, last = figures[0].period_start, figures[0].period_end
    return "<h2>The latest three months</h2>" + html_table(
        pd.DataFrame(rows),
        f"Provider {org_code}, births (or bookings) from {first:%d %B %Y} to {last:%d %B %Y}; "
        "counts rounded to the nearest 5",
    )


def _row(cqim: Cqim, figure: NationalFigure) -> dict[str, Any]:
    shown = shown_figure(cqim, figure)
    return {
        "Measure": cqim.title,
        "Numerator": shown.numerator or 0,
        "Denominator": shown.denominator or 0,
        "Rate": "withheld" if shown.rate is None else f"{shown.rate:,.1f} per {cqim.per:,}",
        "Why withheld": shown.withheld_because,
    }
