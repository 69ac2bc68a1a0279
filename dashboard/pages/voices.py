"""Voices: narrative notes and service-user feedback, entered next to the numbers they explain
and browsed by indicator, group and period. Stored as FHIR QuestionnaireResponses."""

from __future__ import annotations

import html
from typing import Any

import panel as pn

from dashboard.shell import (
    DashboardContext,
    groups_choice,
    html_pane,
    indicator_choice,
    main_heading,
    permitted,
)
from fhir_mappings.fhir.notes import NOTE_KINDS, Note
from service.indicators.errors import InvalidRequestError, NotFoundError
from service.indicators.notes import add_note
from service.storage.models import DashboardUser


def build(context: DashboardContext, user: DashboardUser) -> pn.Column:
    catalogue = context.results.catalogue
    indicator = indicator_choice(catalogue)
    kind = pn.widgets.Select(name="Kind", options=list(NOTE_KINDS), width=140)
    stratification = groups_choice(catalogue)
    stratum = pn.widgets.TextInput(name="Group (blank for everyone)", width=200)
    period = pn.widgets.TextInput(name="Month (YYYY-MM, optional)", width=160)
    themes = pn.widgets.TextInput(name="Themes (comma-separated)", width=300)
    text = pn.widgets.TextAreaInput(name="Note", width=600, height=100)
    add = pn.widgets.Button(name="Add the note", button_type="primary")
    message = html_pane(sizing_mode="stretch_width")
    browse_group = pn.widgets.TextInput(name="Show group", width=200)
    browse_period = pn.widgets.TextInput(name="Show month (YYYY-MM)", width=160)
    listing = html_pane(sizing_mode="stretch_width")
    may_add = permitted(user, "analyst")
    for widget in (kind, stratification, stratum, period, themes, text, add):
        widget.disabled = not may_add

    def show(*_: Any) -> None:
        notes = context.results.notes(indicator.value)
        group, month = browse_group.value.strip(), browse_period.value.strip()
        shown = [
            n
            for n in notes
            if (not group or n.get("stratum") == group) and (not month or n.get("period") == month)
        ]
        items = "".join(
            f"<li><strong>{html.escape(n['kind'])}</strong> "
            f"{html.escape(n.get('stratum') or 'all')} {html.escape(n.get('period') or '')}: "
            f"{html.escape(n['text'])} <em>{html.escape(', '.join(n['themes']))}</em></li>"
            for n in shown
        )
        listing.object = f"<h2>Notes ({len(shown)})</h2>" + (
            f"<ul>{items}</ul>" if items else "<p>No notes match.</p>"
        )

    def on_add(_: Any) -> None:
        current = context.user()
        if current is None or not permitted(current, "analyst"):
            message.object = '<p class="notice" role="alert">Only analysts can add notes.</p>'
            return
        note = Note(
            id=None,
            indicator_id=indicator.value,
            kind=kind.value,
            text=text.value,
            stratification=stratification.value,
            stratum=stratum.value.strip() or "all",
            period=period.value.strip() or None,
            author=current.name,
            themes=tuple(t.strip() for t in themes.value.split(",") if t.strip()),
        )
        try:
            add_note(context.sessions, note, now=context.clock)
        except (InvalidRequestError, NotFoundError) as error:
            message.object = f'<p class="notice" role="alert">{html.escape(str(error))}</p>'
            return
        message.object = '<p class="plain-language" role="status">Note added.</p>'
        text.value = ""
        show()

    add.on_click(on_add)
    for widget in (indicator, browse_group, browse_period):
        widget.param.watch(show, "value")
    show()
    return pn.Column(
        html_pane(
            main_heading("Voices") + "<p>What the numbers do not say: why services are not used, "
            "what changed in community support, what families told us.</p>"
        ),
        indicator,
        pn.FlexBox(kind, stratification, stratum, period, gap="0 8px"),
        themes,
        text,
        add,
        message,
        pn.Row(browse_group, browse_period),
        listing,
        sizing_mode="stretch_width",
        margin=(0, 12),
    )
