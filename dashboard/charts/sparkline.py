"""A small chart of the latest months for the Overview: the rates, the mean, and the last point
in its MDC colour and shape."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bokeh.models import ColumnDataSource
from bokeh.plotting import figure

from dashboard.charts.spc import limit_columns, point_columns

MONTHS_SHOWN = 24


def sparkline(months: Sequence[dict[str, Any]], title: str) -> Any:
    recent = list(months)[-MONTHS_SHOWN:]
    points = ColumnDataSource(point_columns(recent))
    limits = ColumnDataSource(limit_columns(recent))
    chart = figure(
        height=70,
        width=220,
        x_axis_type="datetime",
        toolbar_location=None,
        tools="",
        title=None,
        min_border=2,
    )
    chart.axis.visible = False
    chart.grid.visible = False
    chart.outline_line_color = None
    chart.line("x", "centre", source=limits, color="#4c6272", line_dash="dashed")
    chart.line("x", "rate", source=points, color="#768692")
    last = ColumnDataSource({k: v[-1:] for k, v in point_columns(recent).items()})
    chart.scatter(
        "x", "rate", source=last, marker="marker", size=9, fill_color="colour", line_color="line"
    )
    chart.tags = [f"sparkline: {title}"]
    return chart
