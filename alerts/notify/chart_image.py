"""An indicator's SPC chart as a PNG for email: the monthly rates with the mean and process
limits per rebase group, and the special-cause points marked by shape as well as colour (the
Making Data Count palette: orange concern, blue improvement, grey common cause)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # no display: render to memory only

from matplotlib.figure import Figure

MDC_COLOURS = {
    "special_cause_concern": "#fab428",
    "special_cause_improvement": "#289de0",
    "special_cause_neither": "#361475",
    "common_cause": "#7b7d7d",
}
MARKERS = {"special_cause_concern": "D", "special_cause_improvement": "s"}


@dataclass(frozen=True)
class ChartSeries:
    title: str
    periods: Sequence[str]  # YYYY-MM
    rates: Sequence[float | None]  # None where disclosure control hides the rate
    centre: Sequence[float | None]
    lower: Sequence[float | None]
    upper: Sequence[float | None]
    point_types: Sequence[str]
    unit: str


def spc_chart_png(series: ChartSeries, months_shown: int = 36) -> bytes:
    start = max(0, len(series.periods) - months_shown)
    x = list(range(len(series.periods) - start))
    labels = list(series.periods[start:])
    figure = Figure(figsize=(7.5, 3.2), dpi=80)
    axes = figure.add_subplot()
    axes.plot(x, _nan(series.rates[start:]), color="#7b7d7d", linewidth=1)
    axes.plot(x, _nan(series.centre[start:]), color="#212b32", linewidth=1, label="Mean")
    for limit in (series.lower[start:], series.upper[start:]):
        axes.plot(x, _nan(limit), color="#4c6272", linewidth=1, linestyle="--")
    for kind, colour in MDC_COLOURS.items():
        chosen = [i for i, t in enumerate(series.point_types[start:]) if t == kind]
        axes.scatter(
            chosen,
            [_nan(series.rates[start:])[i] for i in chosen],
            color=colour,
            marker=MARKERS.get(kind, "o"),
            s=28,
            zorder=3,
            label=kind.replace("_", " ").capitalize() if chosen else None,
        )
    ticks = x[:: max(1, len(x) // 8)]
    axes.set_xticks(ticks, [labels[i] for i in ticks], fontsize=8)
    axes.set_ylabel(series.unit, fontsize=8)
    axes.set_title(series.title, fontsize=10)
    axes.legend(fontsize=7, loc="upper left", frameon=False)
    figure.subplots_adjust(left=0.08, right=0.98, top=0.9, bottom=0.12)  # tight_layout costs 40%
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _nan(values: Sequence[float | None]) -> list[float]:
    return [float("nan") if v is None else float(v) for v in values]
