"""The CQIMs month by month, for the dashboard's chart over time: each measure's figures per
provider and calendar month (as `national_figures` gives them for a one-month window), and a
p-chart of one provider's months with the "Making Data Count" rules. Pure: frames in, figures
and chart months out. Counts and rates are disclosure-controlled here, as they are shown."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import pandas as pd

from alerts.spc.attribute_charts import p_chart
from alerts.spc.rules import RuleOptions, point_types
from service.national.cqim import (
    Cqim,
    NationalFigure,
    figure_of,
    gate_reasons,
    provider_of,
    unrecorded,
)
from service.national.disclosed import shown_figure

# The Robson groups are published without a direction: their special causes are neutral.
IMPROVEMENT = {"higher": "increase", "lower": "decrease", None: "neutral"}


def monthly_figures(
    births: pd.DataFrame, measures: Sequence[Cqim], hes_deliveries: Mapping[str, int] | None = None
) -> list[NationalFigure]:
    """One figure per measure, provider and calendar month with a record dated in it, each
    gated by NHS England's data-quality measures for that month as the reporting month."""
    providers = provider_of(births["site_code"])
    months_of = {
        field: pd.to_datetime(births[field], errors="coerce").dt.to_period("M")
        for field in {m.dated_by for m in measures}
    }
    every_month = sorted({m for months in months_of.values() for m in months.dropna().unique()})
    withheld = gate_reasons(births, list(measures), providers, every_month, hes_deliveries)
    figures = []
    for measure in measures:
        keys = pd.DataFrame({"provider": providers, "month": months_of[measure.dated_by]}).dropna()
        for (org_code, month), index in keys.groupby(["provider", "month"]).groups.items():
            start, end = month.start_time.date(), month.end_time.date()
            counted = births.loc[index]
            reason = unrecorded(counted, measure) or withheld[(measure.id, str(org_code), month)]
            figures.append(figure_of(counted, measure, str(org_code), start, end, reason))
    return figures


def chart_months(measure: Cqim, figures: Sequence[NationalFigure]) -> list[dict[str, Any]]:
    """One provider's months of one measure, oldest first, as the dashboard's SPC chart reads
    them: a p-chart over the months the rate is published (a withheld month is a gap in the
    line and takes no part in the limits)."""
    ordered = sorted(figures, key=lambda f: f.period_start)
    counted = [f for f in ordered if f.published and f.denominator]
    limits: dict[date, tuple[float, float, float, str]] = {}
    if counted:
        chart = p_chart([f.numerator or 0 for f in counted], [f.denominator or 0 for f in counted])
        scale = measure.per
        kinds, *_ = point_types(
            chart["value"].to_numpy() * scale,
            chart["centre"].to_numpy() * scale,
            chart["lcl"].to_numpy() * scale,
            chart["ucl"].to_numpy() * scale,
            IMPROVEMENT[measure.better],  # type: ignore[arg-type]
            RuleOptions(),
        )
        for f, row, kind in zip(counted, chart.itertuples(), kinds, strict=True):
            limits[f.period_start] = (row.centre * scale, row.lcl * scale, row.ucl * scale, kind)
    months = []
    for f in ordered:
        shown = shown_figure(measure, f)
        centre, lower, upper, kind = limits.get(f.period_start, (None, None, None, None))
        months.append(
            {
                "period": f"{f.period_start:%Y-%m}",
                "numerator": shown.numerator or 0,
                "denominator": shown.denominator or 0,
                "rate": shown.rate,
                "not_shown_because": shown.withheld_because or None,
                "point_type": kind if shown.rate is not None else None,  # no signal when hidden
                "centre": centre,
                "lower_limit": lower,
                "upper_limit": upper,
                "rebase_group": 0,
            }
        )
    return months
