"""Tables as accessible HTML and as CSV, from the published (already disclosure-controlled)
figures: what a screen reader reads and what a download holds are what the chart shows."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import pandas as pd

from dashboard.theme import variation


def month_table(months: Sequence[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "month": [m["period"] for m in months],
            "numerator": [m["numerator"] for m in months],
            "denominator": [m["denominator"] for m in months],
            "rate": [m["rate"] for m in months],
            "ci_lower": [m["ci_lower"] for m in months],
            "ci_upper": [m["ci_upper"] for m in months],
            "completeness": [m["completeness"] for m in months],
            "signal": [variation(m.get("point_type")).label for m in months],
            "not_shown_because": [m["not_shown_because"] or "" for m in months],
        }
    )


def records_table(records: Sequence[dict[str, Any]], columns: Sequence[str], caption: str) -> str:
    """An HTML table of chosen fields of some records (an empty table keeps its headings)."""
    return html_table(pd.DataFrame(list(records), columns=list(columns)), caption)


def html_table(frame: pd.DataFrame, caption: str, digits: int = 1) -> str:
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in frame.columns)
    body = []
    for row in frame.itertuples(index=False):
        cells = []
        for value in row:
            if isinstance(value, float):
                shown = "" if pd.isna(value) else f"{value:,.{digits}f}"
                cells.append(f'<td class="n">{shown}</td>')
            elif isinstance(value, int):
                cells.append(f'<td class="n">{value:,}</td>')
            else:
                cells.append(f"<td>{html.escape(str(value if value is not None else ''))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<table class="results"><caption>{html.escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def scroll_region(content: str, label: str) -> str:
    """A tall table in a box of its own height that scrolls: focusable and named, so a keyboard
    can reach it and scroll it with the arrow keys, and a screen reader announces it (WCAG
    2.1.1; axe-core's scrollable-region-focusable)."""
    return (
        f'<div class="scroll-region" tabindex="0" role="region" '
        f'aria-label="{html.escape(label)}">{content}</div>'
    )


def html_list(items: Sequence[str]) -> str:
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>" if items else ""
