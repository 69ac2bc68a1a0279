"""Interventions: record one (a marker on its chart, optionally restarting its limits), see the
list, and the before/after report of any of them."""

from __future__ import annotations

import html
from datetime import date
from typing import Any

import pandas as pd
import panel as pn

from dashboard.shell import (
    DashboardContext,
    groups_choice,
    html_pane,
    indicator_choice,
    main_heading,
    permitted,
)
from dashboard.tables import html_table, records_table
from service.indicators.errors import InvalidRequestError, NotFoundError
from service.indicators.intervention_log import record_intervention
from service.storage.models import DashboardUser


def build(context: DashboardContext, user: DashboardUser) -> pn.Column:
    catalogue = context.results.catalogue
    indicator = indicator_choice(catalogue)
    started = pn.widgets.TextInput(name="Date (YYYY-MM-DD)", placeholder="2025-04-01", width=160)
    stratification = groups_choice(catalogue)
    stratum = pn.widgets.TextInput(name="Group (blank for everyone)", width=200)
    description = pn.widgets.TextAreaInput(name="What was done", width=500, height=80)
    # A choice rather than Bokeh's checkbox, whose box has no label a screen reader announces.
    rebase = pn.widgets.Select(
        name="Restart the chart's limits from this month",
        options={"No": False, "Yes: the process changed here": True},
        value=False,
        width=300,
    )
    add = pn.widgets.Button(name="Add the intervention", button_type="primary")
    message = html_pane(sizing_mode="stretch_width")
    listing = html_pane(sizing_mode="stretch_width")
    chooser = pn.widgets.Select(name="Before and after", options={}, width=500)
    report = html_pane(sizing_mode="stretch_width")
    may_add = permitted(user, "analyst")
    for widget in (indicator, started, stratification, stratum, description, rebase, add):
        widget.disabled = not may_add

    def show(*_: Any) -> None:
        every = context.results.interventions()
        listing.object = records_table(
            every,
            (
                "date",
                "indicator",
                "stratification",
                "stratum",
                "description",
                "owner",
                "rebase",
            ),
            f"Interventions ({len(every)})",
        )
        chooser.options = {
            f"{i['date']} {i['indicator']}: {i['description'][:60]}": i["id"] for i in every
        }
        show_report()

    def show_report(*_: Any) -> None:
        if not chooser.value:
            report.object = ""
            return
        found = context.results.intervention_report(int(chooser.value))
        result = found.get("report")
        report.object = _report_html(result)

    def on_add(_: Any) -> None:
        current = context.user()
        if current is None or not permitted(current, "analyst"):
            message.object = '<p class="notice" role="alert">Only analysts can add these.</p>'
            return
        try:
            when = date.fromisoformat(started.value.strip())
        except ValueError:
            message.object = '<p class="notice" role="alert">Date: a day as YYYY-MM-DD.</p>'
            return
        if not description.value.strip():
            message.object = '<p class="notice" role="alert">What was done: say it.</p>'
            return
        try:
            view = record_intervention(
                context.sessions,
                now=context.clock,
                indicator_id=indicator.value,
                started_on=when,
                description=description.value.strip(),
                owner=current.name,
                stratification=stratification.value,
                stratum=stratum.value.strip() or "all",
                rebase=rebase.value,
                recorded_by=current.name,
            )
        except (InvalidRequestError, NotFoundError) as error:
            message.object = f'<p class="notice" role="alert">{html.escape(str(error))}</p>'
            return
        if rebase.value:
            context.results.forget()
        message.object = (
            f'<p class="plain-language" role="status">Added: {html.escape(view["description"])}'
            f" on {view['date']}. It shows as a marker on the chart.</p>"
        )
        show()

    add.on_click(on_add)
    chooser.param.watch(show_report, "value")
    show()
    return pn.Column(
        html_pane(
            main_heading("Interventions") + "<p>On this day, to address this concern, we did this: "
            "each shows as a marker on its chart.</p>"
        ),
        pn.FlexBox(indicator, started, stratification, stratum, gap="0 8px"),
        description,
        rebase,
        add,
        message,
        listing,
        chooser,
        report,
        sizing_mode="stretch_width",
        margin=(0, 12),
    )


def _report_html(result: dict[str, Any] | None) -> str:
    if not result:
        return "<p>No chart for this intervention's group yet.</p>"
    rows = [
        {"figure": k.replace("_", " "), "value": v}
        for k, v in result.items()
        if not isinstance(v, (list, dict))
    ]
    return html_table(pd.DataFrame(rows).astype({"value": str}), "Before and after")
