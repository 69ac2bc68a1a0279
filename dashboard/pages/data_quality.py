"""Data quality: what ingest refused (by rule and source), where the systems disagree about the
same baby, how complete the key fields are by month and source, and postcodes the reference
tables cannot place. Aggregates only, disclosure-controlled."""

from __future__ import annotations

import pandas as pd
import panel as pn

from dashboard.shell import DashboardContext, html_pane, main_heading
from dashboard.tables import html_table, scroll_region
from service.storage.models import DashboardUser

COMPLETENESS = (
    "Percentage of babies with the field recorded, latest 12 months, by the systems that know "
    "the baby (cells over fewer than 10 babies are empty)"
)


def build(context: DashboardContext, user: DashboardUser) -> pn.Column:
    quality = context.results.quality()
    sections = [
        (
            "Rows in quarantine, by source and rule",
            quality["quarantine"],
            "Open quarantined rows (a row failing two rules counts under each), rounded",
        ),
        (
            "Where the systems disagree",
            quality["disagreements"],
            "Babies or mothers the two systems record differently, rounded",
        ),
        (
            "Reference-data gaps",
            quality["reference_gaps"],
            "Babies by whether the mother's postcode placed them in an IMD decile, rounded",
        ),
    ]
    panes = [html_pane(main_heading("Data quality"))]
    for heading, rows, caption in sections:
        panes.append(
            html_pane(
                f"<h2>{heading}</h2>"
                + (html_table(pd.DataFrame(rows), caption) if rows else "<p>None.</p>"),
                sizing_mode="stretch_width",
            )
        )
    completeness = context.results.completeness()
    panes.append(
        html_pane(
            "<h2>Completeness of key fields, by month and source</h2>"
            + scroll_region(html_table(completeness, COMPLETENESS, digits=0), COMPLETENESS),
            sizing_mode="stretch_width",
        )
    )
    return pn.Column(*panes, sizing_mode="stretch_width", margin=(0, 12))
