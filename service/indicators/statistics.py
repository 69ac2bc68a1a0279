"""From counts to the numbers clinicians act on, for a whole run: every series' monthly figures
(comparisons.py) and chart (charts.py), and over the latest window the same comparisons, funnel
limits across groups and the deprivation gradient. Pure: counts in, results out."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from alerts.inequality import sii
from alerts.inequality.funnel import funnel_limits
from alerts.spc.xmr import TRIAL_LIMIT_POINTS
from service.indicators.catalogue import Catalogue, Indicator
from service.indicators.charts import (
    SERIES_KEY,
    Rebase,
    SeriesGrid,
    chart_kind,
    chart_series,
    rebase_months,
)
from service.indicators.comparisons import rates
from service.indicators.counting import NOT_RECORDED
from service.indicators.months import month_label, month_number


@dataclass
class Results:
    series: list[dict[str, Any]] = field(default_factory=list)
    stratifications: list[dict[str, Any]] = field(default_factory=list)


def analyse(counts: pd.DataFrame, catalogue: Catalogue, rebases: Sequence[Rebase] = ()) -> Results:
    """Every series' figures and chart, and the window summaries."""
    results = Results()
    if counts.empty:
        return results
    # Categorical keys: every group-by, sort and merge below works on small integer codes.
    counts = counts.astype({name: "category" for name in SERIES_KEY})
    figures = rates(counts, catalogue)
    figures["month"] = month_number(figures["period"])
    ranges = figures.groupby("indicator_id", observed=True)["month"].agg(["min", "max"])
    month_range = {
        str(i): (int(low), int(high))
        for i, low, high in zip(ranges.index, ranges["min"], ranges["max"], strict=True)
    }
    windows = _window_figures(figures, catalogue, ranges)
    window_rows: dict[tuple[str, ...], dict[str, Any]] = {
        tuple(key): row  # type: ignore[misc]
        for key, row in zip(
            windows[SERIES_KEY].itertuples(index=False, name=None),
            windows.to_dict("records"),
            strict=True,
        )
    }
    grid = SeriesGrid.of(figures)
    charts = chart_series(grid, catalogue, month_range, rebase_months(rebases))
    for row, key in enumerate(grid.keys):
        indicator = catalogue.indicators[key[0]]
        first, last = month_range[key[0]]
        span = slice(first - grid.first_month, last - grid.first_month + 1)
        points: dict[str, Any] = {name: column[row, span] for name, column in grid.columns.items()}
        points |= {name: column[row, span] for name, column in charts.items()}
        points["chart"] = chart_kind(grid, row, span, key[1])
        points["month"] = np.arange(first, last + 1)
        window = window_rows.get(key, {})
        results.series.append(_series_record(indicator, key[1], key[2], points, window))
    cuts = windows[windows["stratification"] != "overall"].sort_values(SERIES_KEY)
    keys = cuts[["indicator_id", "stratification"]].to_numpy()
    strata = cuts["stratum"].astype(str).tolist()
    numerators = cuts["numerator"].to_numpy(dtype=np.int64)
    denominators = cuts["denominator"].to_numpy(dtype=np.int64)
    breaks = np.flatnonzero((keys[1:] != keys[:-1]).any(axis=1)) + 1
    for start, stop in itertools.pairwise([0, *breaks, len(cuts)]):
        if start == stop:
            continue
        results.stratifications.append(
            _stratification_record(
                catalogue,
                str(keys[start][0]),
                str(keys[start][1]),
                strata[start:stop],
                numerators[start:stop],
                denominators[start:stop],
            )
        )
    return results


def _window_figures(
    figures: pd.DataFrame, catalogue: Catalogue, ranges: pd.DataFrame
) -> pd.DataFrame:
    """Each series summed over the indicator's latest window of months, with its figures."""
    latest = figures["indicator_id"].map(ranges["max"]).astype(np.int64)
    months = (
        figures["indicator_id"]
        .map({i: catalogue.window_of(i) for i in catalogue.indicators})
        .astype(np.int64)
    )
    recent = figures[figures["month"] > latest - months]
    summed = (
        recent.groupby(SERIES_KEY, sort=True, observed=True)[
            ["population", "complete", "denominator", "numerator"]
        ]
        .sum()
        .reset_index()
    )
    first = recent.groupby(SERIES_KEY, sort=True, observed=True)["month"].min().to_numpy()
    summed["window_start"] = [month_label(int(m)) for m in first]
    summed["window_end"] = (
        summed["indicator_id"].map(ranges["max"]).map(lambda m: month_label(int(m)))
    )
    return rates(summed, catalogue)


def _series_record(
    indicator: Indicator,
    stratification: str,
    stratum: str,
    points: dict[str, Any],
    window: dict[str, Any],
) -> dict[str, Any]:
    present = ~np.isnan(points["rate"]) & (points["dq_pass"] == True)  # noqa: E712
    last_group = points["rebase_group"] == points["rebase_group"][-1]
    latest = int(np.flatnonzero(present)[-1]) if present.any() else len(points["rate"]) - 1
    return {
        "indicator_id": indicator.id,
        "stratification": stratification,
        "stratum": stratum,
        "latest_period": month_label(int(points["month"][latest])),
        "latest_point_type": str(points["point_type"][latest]),
        "window_rag": window.get("rag"),
        "trial_limits": int(np.count_nonzero(present & last_group)) < TRIAL_LIMIT_POINTS,
        "points": points,
        "window": {k: _plain(v) for k, v in window.items() if k not in ("month", "period")},
    }


def _stratification_record(
    catalogue: Catalogue,
    indicator_id: str,
    stratification_id: str,
    strata: list[str],
    numerators: npt.NDArray[np.int64],
    denominators: npt.NDArray[np.int64],
) -> dict[str, Any]:
    """Across one stratification's groups over the window: funnel limits and, for deprivation
    quantiles, SII and RII. "Not recorded" is no group to compare."""
    stratification = catalogue.stratifications[stratification_id]
    per = catalogue.indicators[indicator_id].per
    keep = [i for i, s in enumerate(strata) if s != NOT_RECORDED and denominators[i] > 0]
    names = [strata[i] for i in keep]
    x, n = numerators[keep], denominators[keep]
    record: dict[str, Any] = {
        "indicator_id": indicator_id,
        "stratification": stratification_id,
        "funnel": None,
        "gradient": None,
    }
    if len(keep) >= 2:
        funnel = funnel_limits(x, n)
        record["funnel"] = {
            "target": funnel["target"] * per,
            "phi": funnel["phi"],
            "tau2": funnel["tau2"],
            "strata": names,
            **{
                column: (funnel[column] * per).tolist()
                for column in ("proportion", "lcl95", "ucl95", "lcl998", "ucl998")
            },
            "outlier": funnel["outlier"].tolist(),
        }
    if stratification.gradient:
        record["gradient"] = _gradient(dict(zip(names, zip(x, n, strict=True), strict=True)),
                                       stratification.order, per)  # fmt: skip
    return record


def _gradient(
    counts: dict[str, tuple[int, int]], order: Sequence[str], per: int
) -> dict[str, Any] | None:
    if any(quantile not in counts for quantile in order):
        return None  # a quantile without births: no gradient across all of them
    x = np.array([counts[q][0] for q in order], dtype=np.float64)
    n = np.array([counts[q][1] for q in order], dtype=np.float64)
    proportion = x / n
    standard_error = np.sqrt(proportion * (1 - proportion) / n)
    index = sii(
        (proportion * per).tolist(), n.tolist(), standard_errors=(standard_error * per).tolist()
    )
    return {k: _plain(v) for k, v in vars(index).items()}


def _plain(value: Any) -> Any:
    """JSON-ready: numpy scalars to Python, NaN to None."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and np.isnan(value):
        return None
    return value
