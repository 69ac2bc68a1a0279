"""Groups side by side over the latest 12 months: each group's rate with its 95% interval,
shaped and labelled by its traffic light, the reference group marked."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from bokeh.models import ColumnDataSource, FactorRange
from bokeh.plotting import figure

from dashboard.charts.points import signal_points
from dashboard.theme import REFERENCE, traffic_light

FIELDS = ("group", "rate", "low", "high", "colour", "marker", "label", "counts", "ratio")


def group_columns(strata: Sequence[dict[str, Any]], reference: str | None) -> dict[str, list[Any]]:
    columns: dict[str, list[Any]] = {name: [] for name in FIELDS}
    for stratum in strata:
        window = stratum["window"]
        is_reference = stratum["stratum"] == reference
        signal = REFERENCE if is_reference else traffic_light(window.get("traffic_light"))
        word = "reference" if is_reference else (window.get("traffic_light") or "no light")
        rate = window.get("rate")
        columns["group"].append(f"{stratum.get('name', stratum['stratum'])} ({word})")
        columns["rate"].append(math.nan if rate is None else rate)
        columns["low"].append(window.get("ci_lower") if rate is not None else math.nan)
        columns["high"].append(window.get("ci_upper") if rate is not None else math.nan)
        columns["colour"].append(signal.colour)
        columns["marker"].append(signal.marker)
        columns["label"].append(signal.label)
        columns["counts"].append(f"{window['numerator']:,} / {window['denominator']:,}")
        columns["ratio"].append("—" if is_reference else ratio_words(window))
    return columns


class ComparisonChart:
    def __init__(self) -> None:
        self.groups = ColumnDataSource({name: [] for name in FIELDS})
        chart = figure(
            height=300,
            sizing_mode="stretch_width",
            y_range=FactorRange(factors=[]),
            tools="save",
            toolbar_location="right",
        )
        chart.segment(
            "low", "group", "high", "group", source=self.groups, color="#4c6272", line_width=2
        )
        signal_points(
            chart,
            "rate",
            "group",
            self.groups,
            size=13,
            tooltips=[
                ("Group", "@group"),
                ("Rate", "@rate{0,0.0} (@low{0,0.0} to @high{0,0.0})"),
                ("Numerator / denominator", "@counts"),
                ("Ratio to reference (95% CI)", "@ratio"),
                ("Traffic light", "@label"),
            ],
        )
        chart.title.text_font_size = "14px"
        self.figure = chart

    def show(
        self, strata: Sequence[dict[str, Any]], reference: str | None, *, title: str, unit: str
    ) -> None:
        columns = group_columns(strata, reference)
        self.figure.y_range.factors = list(reversed(columns["group"]))
        self.figure.height = max(160, 40 + 26 * len(columns["group"]))
        self.groups.data = columns
        self.figure.title.text = title
        self.figure.xaxis.axis_label = unit


def ratio_words(window: dict[str, Any]) -> str:
    ratio, low, high = window.get("ratio"), window.get("ratio_lower"), window.get("ratio_upper")
    if ratio is None:
        return "—"
    return f"{ratio:.2f}" + (
        f" ({low:.2f} to {high:.2f})" if low is not None and high is not None else ""
    )
