"""The Overview: a few prioritised measures, each with its variation icon, a sparkline, the
latest month with its interval and the worst disparity's traffic light; then the open alerts."""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import urlencode

import panel as pn

from dashboard.charts.sparkline import sparkline_svg
from dashboard.indicator_view import unit_words
from dashboard.shell import DashboardContext, html_pane, main_heading
from dashboard.theme import assurance, badge, traffic_light, variation
from service.storage.models import DashboardUser

OPEN_ALERTS_SHOWN = 10


def build(context: DashboardContext, user: DashboardUser) -> pn.Column:
    lines = {line["id"]: line for line in context.results.overview()}
    cards = [measure_card(context, lines[i]) for i in context.pages.measures if i in lines]
    return pn.Column(
        html_pane(
            main_heading("Overview") + "<p>The measures that matter most, latest first. Select a "
            "measure for its chart over time and its groups.</p>"
        ),
        pn.FlexBox(*cards, gap="12px", sizing_mode="stretch_width"),
        open_alerts(context),
        sizing_mode="stretch_width",
        margin=(0, 12),
    )


def link_for(context: DashboardContext, indicator_id: str, **query: str) -> str:
    topic = context.pages.topic_of(indicator_id)
    path = f"/dashboard/{topic.route}" if topic else "/dashboard/indicator"
    return f"{path}?{urlencode({'indicator': indicator_id, **query})}"


def measure_card(context: DashboardContext, line: dict[str, Any]) -> pn.Column:
    overall = context.results.series(line["id"], "overall")["strata"]
    months = overall[0]["months"] if overall else []
    latest = next((m for m in reversed(months) if m["rate"] is not None), None)
    value = (
        f"<strong>{latest['rate']:,.1f}</strong> {unit_words(line['per'])} in {latest['period']} "
        f"(95% CI {latest['ci_lower']:,.1f} to {latest['ci_upper']:,.1f})"
        if latest
        else "No month shown yet"
    )
    light = line.get("worst_disparity")
    red = line.get("red_groups") or []
    groups = ", ".join(_group_words(context, g) for g in red[:3]) + (" …" if len(red) > 3 else "")
    disparity = badge(traffic_light(light), f"Disparity: {light or 'none'}") + (
        f" <span>{html.escape(groups)}</span>" if red else ""
    )
    text = html_pane(
        f'<div data-testid="measure"><h2 style="font-size:17px;margin:0">'
        f'<a href="{link_for(context, line["id"])}">'
        f"{html.escape(line['title'])}</a></h2>"
        f"<p style='margin:4px 0'>{badge(variation(line.get('variation')))} "
        f"{badge(assurance(line.get('assurance')))}</p>"
        f"<p style='margin:4px 0'>{value}</p><p style='margin:4px 0'>{disparity}</p>"
        f"{sparkline_svg(months, line['title'])}</div>",
        width=300,
    )
    return pn.Column(
        text,
        css_classes=["measure-card"],
        styles={"border": "1px solid #aeb7bd", "border-radius": "6px"},
        width=320,
    )


def open_alerts(context: DashboardContext) -> pn.viewable.Viewable:
    alerts = context.results.open_alerts()  # most important first, as the digest tells them
    unacknowledged = [a for a in alerts if not a["acknowledged"]]
    items = "".join(
        f"<li>{badge(variation('special_cause_concern'), a['severity'])} "
        f'<a href="/dashboard/alerts?alert={a["fingerprint"]}">{html.escape(a["headline"])}</a>'
        "</li>"
        for a in unacknowledged[:OPEN_ALERTS_SHOWN]
    )
    more = len(unacknowledged) - OPEN_ALERTS_SHOWN
    return html_pane(
        f"<h2>Open alerts</h2><p>Most important first. {len(unacknowledged):,} open and not "
        "acknowledged, "
        f"{len(alerts) - len(unacknowledged):,} acknowledged. "
        '<a href="/dashboard/alerts">All alerts</a></p>'
        + (f"<ul>{items}</ul>" if items else "<p>No open alerts.</p>")
        + (f"<p>and {more:,} more.</p>" if more > 0 else ""),
        sizing_mode="stretch_width",
    )


def _group_words(context: DashboardContext, red_group: str) -> str:
    stratification, stratum = red_group.split("=", 1)
    grouping = context.results.catalogue.stratifications[stratification]
    return f"{grouping.name_of(stratum)} ({grouping.title.split(' (')[0].lower()})"
