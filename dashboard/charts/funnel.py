"""Funnel plot for a chosen period: each group's rate against its denominator, inside the 95%
and 99.8% limits around the overall rate (FunnelPlotR's method, from the service)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from bokeh.models import ColumnDataSource
from bokeh.plotting import figure

from alerts.inequality import funnel_curve
from dashboard.charts.points import signal_points

GROUP_FIELDS = ("denominator", "rate", "group", "marker", "colour", "verdict")
CURVE_FIELDS = ("n", "lcl95", "ucl95", "lcl998", "ucl998", "target")


def funnel_columns(view: dict[str, Any]) -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
    groups: dict[str, list[Any]] = {name: [] for name in GROUP_FIELDS}
    curve: dict[str, list[Any]] = {name: [] for name in CURVE_FIELDS}
    for group in view.get("groups", []):
        shown = group["rate"] is not None
        groups["denominator"].append(group["denominator"])
        groups["rate"].append(group["rate"] if shown else math.nan)
        groups["group"].append(group.get("name", group["stratum"]))
        outlier = bool(group.get("outlier"))
        groups["marker"].append("diamond" if outlier else "circle")
        groups["colour"].append("#e46c0a" if outlier else "#a6a6a6")
        groups["verdict"].append("outside 99.8% limits" if outlier else "within limits")
    if groups["denominator"] and "target" in view:
        per = view["indicator"]["per"]
        top = max(groups["denominator"]) * 1.1
        n = np.linspace(max(1.0, min(groups["denominator"]) * 0.5), top, 80)
        limits = funnel_curve(view["target"] / per, view["overdispersion"]["tau2"], n)
        curve["n"] = n.tolist()
        for name in ("lcl95", "ucl95", "lcl998", "ucl998"):
            curve[name] = (limits[name] * per).tolist()
        curve["target"] = [view["target"]] * len(n)
    return groups, curve


class FunnelChart:
    def __init__(self) -> None:
        self.groups = ColumnDataSource({name: [] for name in GROUP_FIELDS})
        self.curve = ColumnDataSource({name: [] for name in CURVE_FIELDS})
        chart = figure(height=300, sizing_mode="stretch_width", tools="save")
        chart.line("n", "target", source=self.curve, color="#212b32")
        for name, dash in (
            ("lcl95", "dashed"),
            ("ucl95", "dashed"),
            ("lcl998", "solid"),
            ("ucl998", "solid"),
        ):
            chart.line("n", name, source=self.curve, color="#4c6272", line_dash=dash)
        signal_points(
            chart,
            "denominator",
            "rate",
            self.groups,
            size=12,
            tooltips=[
                ("Group", "@group"),
                ("Rate", "@rate{0,0.0}"),
                ("Denominator", "@denominator{0,0}"),
                ("Funnel", "@verdict"),
            ],
        )
        chart.xaxis.axis_label = "Denominator (rounded)"
        chart.title.text_font_size = "14px"
        self.figure = chart

    def show(self, view: dict[str, Any], *, title: str, unit: str) -> None:
        groups, curve = funnel_columns(view)
        self.groups.data = groups
        self.curve.data = curve
        self.figure.title.text = title
        self.figure.yaxis.axis_label = unit
