"""Alerts: open, acknowledged and resolved, one alert's evidence and history, acknowledging and
silencing (analysts and admins), and the delivery log. `?alert=<fingerprint>` (the link in every
alert message) opens that alert."""

from __future__ import annotations

import html
from datetime import timedelta
from typing import Any

import orjson
import pandas as pd
import panel as pn
import param

from dashboard.filters import query_of
from dashboard.pages.overview import link_for
from dashboard.shell import DashboardContext, html_pane, main_heading, permitted
from dashboard.tables import html_table, records_table, scroll_region
from service.alerting.alert_store import acknowledge, add_silence
from service.indicators.errors import InvalidRequestError, NotFoundError
from service.storage.models import DashboardUser

STATES = {
    "open": lambda a: a["status"] != "resolved" and not a["acknowledged"],
    "acknowledged": lambda a: a["status"] != "resolved" and a["acknowledged"],
    "resolved": lambda a: a["status"] == "resolved",
    "all": lambda a: True,
}


SILENCE_SPANS = {"4 hours": 4, "24 hours": 24, "3 days": 72, "7 days": 168, "30 days": 720,
                 "90 days": 2160}  # fmt: skip
DELIVERY_LOG = "Delivery attempts, newest first (webhook addresses without their signature)"
# Bootstrap's warning amber under white text is 1.9:1; the theme's dark amber is over 4.5:1.
WARNING_BUTTON = ".bk-btn-warning { background-color:#9c4200; border-color:#9c4200; color:#fff; }"


class AlertFilters(param.Parameterized):
    state = param.Selector(objects=list(STATES), default="open", label="Show")
    alert = param.String(default="", label="Alert")


def build(context: DashboardContext, user: DashboardUser) -> pn.Column:
    query = query_of(pn.state.session_args or {})
    filters = AlertFilters(
        state=query.get("state") if query.get("state") in STATES else "open",
        alert=query.get("alert", ""),
    )
    listing = html_pane(sizing_mode="stretch_width")
    chooser = pn.widgets.Select(name="Alert", options={"(choose an alert)": ""}, width=640)
    detail = html_pane(sizing_mode="stretch_width")
    message = html_pane(sizing_mode="stretch_width")
    comment = pn.widgets.TextInput(name="Comment", placeholder="What is being done", width=400)
    ack = pn.widgets.Button(name="Acknowledge", button_type="primary")
    # A choice of spans rather than a number spinner, whose arrows are unnamed and too small
    # to hit (WCAG 4.1.2, 2.5.8).
    hours = pn.widgets.Select(name="Silence for", options=SILENCE_SPANS, value=24, width=160)
    reason = pn.widgets.TextInput(name="Reason for silencing", width=400)
    silence = pn.widgets.Button(
        name="Silence its notices", button_type="warning", stylesheets=[WARNING_BUTTON]
    )
    deliveries = html_pane(sizing_mode="stretch_width")
    may_act = permitted(user, "analyst")
    for widget in (comment, ack, hours, reason, silence):
        widget.disabled = not may_act

    def show(*_: Any) -> None:
        every = context.results.alerts()
        shown = [a for a in every if STATES[filters.state](a)]
        listing.object = _listing(context, shown, filters.state)
        chooser.options = {
            "(choose an alert)": "",
            **{f"{a['severity']}: {a['summary']}"[:120]: a["fingerprint"] for a in every},
        }
        chooser.value = filters.alert if filters.alert in chooser.options.values() else ""
        chosen = next((a for a in every if a["fingerprint"] == filters.alert), None)
        detail.object = _detail(context, chosen)
        deliveries.object = scroll_region(
            records_table(
                context.results.deliveries(),
                (
                    "at",
                    "receiver",
                    "channel",
                    "target",
                    "outcome",
                    "status_code",
                    "error",
                    "retry_at",
                ),
                DELIVERY_LOG,
            ),
            DELIVERY_LOG,
        )

    def choose(event: Any) -> None:
        filters.alert = event.new or ""

    def act(do: Any, done: str) -> None:
        current = context.user()
        if current is None or not permitted(current, "analyst"):
            message.object = '<p class="notice" role="alert">Only analysts can do this.</p>'
            return
        if not filters.alert:
            message.object = '<p class="notice" role="alert">Choose an alert first.</p>'
            return
        try:
            with context.sessions.begin() as session:
                do(session, current.name)
        except (InvalidRequestError, NotFoundError) as error:
            message.object = f'<p class="notice" role="alert">{html.escape(str(error))}</p>'
            return
        message.object = f'<p class="plain-language" role="status">{html.escape(done)}</p>'
        show()

    def on_ack(_: Any) -> None:
        act(
            lambda s, by: acknowledge(
                s, filters.alert, by=by, comment=comment.value or None, now=context.clock()
            ),
            "Acknowledged: no more reminders while it fires.",
        )

    def on_silence(_: Any) -> None:
        now = context.clock()
        if not reason.value.strip():
            message.object = '<p class="notice" role="alert">Reason: say why it is silenced.</p>'
            return
        act(
            lambda s, by: add_silence(
                s,
                matchers={"fingerprint": filters.alert},
                ends_at=now + timedelta(hours=int(hours.value)),
                reason=reason.value.strip(),
                author=by,
                now=now,
            ),
            f"Silenced for {_span_words(int(hours.value))}.",
        )

    chooser.param.watch(choose, "value")
    ack.on_click(on_ack)
    silence.on_click(on_silence)
    filters.param.watch(show, ["state", "alert"])
    pn.state.location.sync(filters, {"state": "state", "alert": "alert"})
    show()
    return pn.Column(
        html_pane(main_heading("Alerts")),
        pn.widgets.RadioButtonGroup.from_param(filters.param.state, button_type="primary"),
        listing,
        chooser,
        detail,
        message,
        pn.Row(comment, ack, styles={"align-items": "end"}),
        pn.Row(hours, reason, silence, styles={"align-items": "end"}),
        html_pane("<h2>Delivery log</h2>"),
        deliveries,
        sizing_mode="stretch_width",
        margin=(0, 12),
    )


def _span_words(hours: int) -> str:
    return next((words for words, span in SILENCE_SPANS.items() if span == hours), f"{hours} hours")


def _listing(context: DashboardContext, alerts: list[dict[str, Any]], state: str) -> str:
    rows = [
        {
            "severity": a["severity"],
            "alert": a["summary"],
            "state": a["status"] + (" (acknowledged)" if a["acknowledged"] else ""),
            "since": (a["fired_at"] or a["started_at"] or "")[:10],
            "fingerprint": a["fingerprint"],
        }
        for a in alerts
    ]
    table = html_table(pd.DataFrame(rows), f"Alerts: {state} ({len(rows):,})")
    return f'<div data-testid="alert-list">{table}</div>'


def _detail(context: DashboardContext, alert: dict[str, Any] | None) -> str:
    if alert is None:
        return "<p>Choose an alert to see its evidence and act on it.</p>"
    chart = link_for(
        context,
        alert["indicator"],
        stratification=alert["stratification"],
        stratum=alert["stratum"],
    )
    state = alert["status"] + (
        f", acknowledged by {alert['acknowledged_by']}" if alert["acknowledged"] else ""
    )
    evidence = html.escape(orjson.dumps(alert["evidence"]).decode()[:600])
    return (
        f'<h2 data-testid="alert-state">{html.escape(alert["summary"])}: {html.escape(state)}</h2>'
        f"<p>Rule {html.escape(alert['rule'])}, severity {alert['severity']}, period "
        f'{alert["period"]}. <a href="{chart}">Open the chart</a></p>'
        f"<details><summary>Evidence</summary><code>{evidence}</code></details>"
    )
