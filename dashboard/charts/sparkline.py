"""A small chart of the latest months for the Overview: the rates, the mean of each rebase group,
and the last point in its MDC colour and shape.

It is inline SVG, drawn on the server: eight Bokeh figures made the Overview's first paint wait
for eight canvases, and a sparkline needs no hover or zoom (its card links to the full chart).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from dashboard.theme import variation

MONTHS_SHOWN = 24
WIDTH, HEIGHT, PAD = 220, 60, 6
RATE_LINE, MEAN_LINE = "#768692", "#4c6272"


def sparkline_svg(months: Sequence[dict[str, Any]], title: str) -> str:
    recent = list(months)[-MONTHS_SHOWN:]
    values = [m[k] for m in recent for k in ("rate", "centre") if m.get(k) is not None]
    last = next((m for m in reversed(recent) if m.get("rate") is not None), None)
    if not values or last is None:
        return f'<p class="sparkline-empty">{html.escape(title)}: no months shown yet</p>'
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = (WIDTH - 2 * PAD) / max(1, len(recent) - 1)

    def at(index: int, value: float) -> tuple[float, float]:
        return PAD + index * step, HEIGHT - PAD - (value - low) / span * (HEIGHT - 2 * PAD)

    rates = _polylines([(i, m.get("rate")) for i, m in enumerate(recent)], at)
    means = _polylines(_by_rebase_group(recent), at)
    signal = variation(last.get("point_type"))
    x, y = at(len(recent) - 1, last["rate"])
    label = (
        f"{title}: the last {len(recent)} months; latest {last['period']}, {last['rate']:,.1f}: "
        f"{signal.label}"
    )
    return (
        f'<svg class="sparkline" role="img" aria-label="{html.escape(label)}" width="{WIDTH}" '
        f'height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}"><title>{html.escape(label)}</title>'
        + "".join(
            f'<polyline points="{p}" fill="none" stroke="{MEAN_LINE}" stroke-dasharray="4 3"/>'
            for p in means
        )
        + "".join(
            f'<polyline points="{p}" fill="none" stroke="{RATE_LINE}" stroke-width="1.5"/>'
            for p in rates
        )
        + _marker(signal.marker, x, y, signal.colour, signal.text_colour)
        + "</svg>"
    )


def _by_rebase_group(months: Sequence[dict[str, Any]]) -> list[tuple[int, float | None]]:
    """The mean month by month, broken (a None) where a rebase starts a new group."""
    points: list[tuple[int, float | None]] = []
    group = None
    for index, month in enumerate(months):
        if group is not None and month.get("rebase_group") != group:
            points.append((index, None))
        group = month.get("rebase_group")
        points.append((index, month.get("centre")))
    return points


def _polylines(points: Sequence[tuple[int, float | None]], at: Any) -> list[str]:
    """SVG point lists, one per unbroken run (a hidden month or a rebase breaks the line)."""
    runs: list[list[str]] = [[]]
    for index, value in points:
        if value is None:
            runs.append([])
        else:
            x, y = at(index, value)
            runs[-1].append(f"{x:.1f},{y:.1f}")
    return [" ".join(run) for run in runs if len(run) > 1]


def _marker(shape: str, x: float, y: float, fill: str, stroke: str) -> str:
    r = 4.5
    paint = f'fill="{fill}" stroke="{stroke}"'
    corners = {
        "triangle": [(0, -r), (r, r * 0.8), (-r, r * 0.8)],
        "inverted_triangle": [(0, r), (r, -r * 0.8), (-r, -r * 0.8)],
        "diamond": [(0, -r * 1.2), (r, 0), (0, r * 1.2), (-r, 0)],
        "square": [(-r, -r), (r, -r), (r, r), (-r, r)],
    }.get(shape)
    if corners is None:
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" {paint}/>'
    points = " ".join(f"{x + dx:.1f},{y + dy:.1f}" for dx, dy in corners)
    return f'<polygon points="{points}" {paint}/>'
