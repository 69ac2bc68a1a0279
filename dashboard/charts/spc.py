"""The SPC chart of one series: monthly rates coloured and shaped by their MDC point type, the
mean and process limits per rebase group, and intervention markers with their text on hover."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from bokeh.models import ColumnDataSource, HoverTool, Span
from bokeh.plotting import figure

from dashboard.charts.points import signal_points
from dashboard.theme import variation

POINT_FIELDS = ("x", "rate", "period", "counts", "ci", "signal", "colour", "marker", "line")
LIMIT_FIELDS = ("x", "centre", "upper", "lower")
MARK_FIELDS = ("x", "y0", "y1", "text")


def month_start(period: str) -> date:
    return date(int(period[:4]), int(period[5:7]), 1)


def month_time(period: str) -> datetime:
    """A month as Bokeh's datetime axis takes it (a date would be sent as text)."""
    return datetime(int(period[:4]), int(period[5:7]), 1)


def _number(value: float | None, digits: int = 1) -> str:
    return "not shown" if value is None else f"{value:,.{digits}f}"


def point_columns(months: Sequence[dict[str, Any]]) -> dict[str, list[Any]]:
    """The chart's points from published months (disclosed rates; hidden ones are gaps)."""
    columns: dict[str, list[Any]] = {name: [] for name in POINT_FIELDS}
    for month in months:
        signal = variation(month.get("point_type") or "common_cause")
        rate = month.get("rate")
        columns["x"].append(month_time(month["period"]))
        columns["rate"].append(math.nan if rate is None else rate)
        columns["period"].append(month["period"])
        columns["counts"].append(f"{month['numerator']:,} / {month['denominator']:,}")
        columns["ci"].append(
            f"{_number(month.get('ci_lower'))} to {_number(month.get('ci_upper'))}"
            if rate is not None
            else month.get("not_shown_because") or "not shown"
        )
        columns["signal"].append(signal.label)
        columns["colour"].append(signal.colour)
        columns["marker"].append(signal.marker)
        columns["line"].append(signal.text_colour)
    return columns


def limit_columns(months: Sequence[dict[str, Any]]) -> dict[str, list[Any]]:
    """Mean and limits, broken (a NaN row) where a rebase starts a new group."""
    columns: dict[str, list[Any]] = {name: [] for name in LIMIT_FIELDS}
    group = None
    for month in months:
        if month.get("centre") is None:
            continue
        if group is not None and month.get("rebase_group") != group:
            for name in LIMIT_FIELDS:
                columns[name].append(math.nan if name != "x" else month_time(month["period"]))
        group = month.get("rebase_group")
        columns["x"].append(month_time(month["period"]))
        columns["centre"].append(month["centre"])
        upper, lower = month.get("upper_limit"), month.get("lower_limit")
        columns["upper"].append(math.nan if upper is None else upper)
        columns["lower"].append(math.nan if lower is None else lower)
    return columns


def marker_columns(
    interventions: Sequence[dict[str, Any]], low: float, high: float
) -> dict[str, list[Any]]:
    return {
        "x": [datetime.fromisoformat(i["date"]) for i in interventions],
        "y0": [low] * len(interventions),
        "y1": [high] * len(interventions),
        "text": [f"{i['date']}: {i['description']} ({i['owner']})" for i in interventions],
    }


class SpcChart:
    def __init__(self, height: int = 320) -> None:
        self.points = ColumnDataSource({name: [] for name in POINT_FIELDS})
        self.limits = ColumnDataSource({name: [] for name in LIMIT_FIELDS})
        self.marks = ColumnDataSource({name: [] for name in MARK_FIELDS})
        chart = figure(
            height=height,
            sizing_mode="stretch_width",
            x_axis_type="datetime",
            tools="pan,box_zoom,reset,save",
            toolbar_location="right",
        )
        chart.line("x", "centre", source=self.limits, color="#212b32", line_width=1.5)
        for edge in ("upper", "lower"):
            chart.line("x", edge, source=self.limits, color="#4c6272", line_dash="dashed")
        chart.line("x", "rate", source=self.points, color="#768692", line_width=1.5)
        signal_points(
            chart,
            "x",
            "rate",
            self.points,
            size=10,
            line_color="line",
            tooltips=[
                ("Month", "@period"),
                ("Rate", "@rate{0,0.0}"),
                ("Numerator / denominator", "@counts"),
                ("95% CI", "@ci"),
                ("Signal", "@signal"),
            ],
        )
        lines = chart.segment(
            "x",
            "y0",
            "x",
            "y1",
            source=self.marks,
            color="#005eb8",
            line_width=2,
            line_dash="dotdash",
        )
        flags = chart.scatter(
            "x",
            "y1",
            source=self.marks,
            marker="inverted_triangle",
            size=14,
            fill_color="#005eb8",
            line_color="#003087",
        )
        chart.add_tools(HoverTool(renderers=[lines, flags], tooltips=[("Intervention", "@text")]))
        # MDC draws the target as a red line; the heading says it in words.
        self.target = Span(
            location=0, dimension="width", line_color="#d5281b", line_dash="dotted", line_width=2
        )
        self.target.visible = False
        chart.add_layout(self.target)
        chart.xaxis.axis_label = "Month"
        chart.title.text_font_size = "14px"
        self.figure = chart

    def show(
        self,
        months: Sequence[dict[str, Any]],
        interventions: Sequence[dict[str, Any]],
        *,
        title: str,
        unit: str,
        target: float | None = None,
    ) -> None:
        points = point_columns(months)
        limits = limit_columns(months)
        values = [v for v in [*points["rate"], *limits["upper"]] if not math.isnan(v)]
        self.target.location = 0 if target is None else target
        self.target.visible = target is not None
        low, high = (min(values), max(values)) if values else (0.0, 1.0)
        self.points.data = points
        self.limits.data = limits
        self.marks.data = marker_columns(interventions, min(low, 0.0), high * 1.08 or 1.0)
        self.figure.title.text = title
        self.figure.yaxis.axis_label = unit
