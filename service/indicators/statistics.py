"""From counts to the numbers clinicians act on: rates with confidence intervals, comparisons with
the reference group and their traffic lights, SPC on every series, and, over the latest window,
funnel limits across groups and the deprivation gradient. Pure: counts in, results out.

SPC uses unrounded counts; a month whose key fields fail the completeness gate takes no part in
a chart (it is a gap), since its rate could be an artefact of what was not recorded.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from alerts.inequality import sii
from alerts.inequality.comparisons import risk_ratio_bounds
from alerts.inequality.confidence import wilson_bounds
from alerts.inequality.disclosure import MINIMUM_DENOMINATOR, SUPPRESSED_UP_TO
from alerts.inequality.funnel import funnel_limits
from alerts.spc.attribute_charts import (
    binomial_limits,
    needs_exact_limits,
    proportion_limits,
    proportion_limits_batch,
)
from alerts.spc.rules import IMPROVEMENT_SIGN, RuleOptions, classify, point_types
from alerts.spc.xmr import TRIAL_LIMIT_POINTS, xmr_columns
from service.indicators.catalogue import Catalogue, Indicator
from service.indicators.counting import NOT_RECORDED

FloatArray = npt.NDArray[np.float64]
SERIES_KEY = ["indicator_id", "stratification", "stratum"]


@dataclass(frozen=True)
class Rebase:
    """A chart restarts its limits from this month (an intervention, or a known change)."""

    indicator_id: str
    stratification: str
    stratum: str
    period: date


@dataclass
class Results:
    series: list[dict[str, Any]] = field(default_factory=list)
    stratifications: list[dict[str, Any]] = field(default_factory=list)


def month_number(period: pd.Series | pd.DatetimeIndex) -> npt.NDArray[np.int64]:
    stamps = pd.DatetimeIndex(period)
    return np.asarray(stamps.year * 12 + stamps.month - 1, dtype=np.int64)


def month_label(number: int) -> str:
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


def rates(counts: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Row-level figures: rate and Wilson interval in the indicator's unit, completeness and its
    gate, small-number suppression, and the comparison with the same month's reference group."""
    frame = counts.copy()
    per = (
        frame["indicator_id"].map({i: d.per for i, d in catalogue.indicators.items()}).astype(float)
    )
    numerator = frame["numerator"].to_numpy(dtype=np.float64)
    denominator = frame["denominator"].to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["rate"] = np.where(denominator > 0, numerator / denominator, np.nan) * per
        frame["completeness"] = frame["complete"] / frame["population"]
    lower, upper = wilson_bounds(numerator, denominator)
    frame["ci_lower"], frame["ci_upper"] = lower * per, upper * per
    frame["dq_pass"] = frame["completeness"] >= catalogue.completeness_threshold
    frame["suppressed"] = suppressed(frame["numerator"], frame["denominator"])
    return compare_with_reference(frame, catalogue)


def suppressed(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """A rate not shown: its numerator is 1–7, or its denominator is under 10."""
    return numerator.between(1, SUPPRESSED_UP_TO) | (denominator < MINIMUM_DENOMINATOR)


def compare_with_reference(frame: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Risk ratio against the reference stratum of the same stratification and rows, with the
    absolute difference and the traffic light."""
    references = {s.id: s.reference for s in catalogue.stratifications.values() if s.reference}
    keys = [c for c in frame.columns if c in ("indicator_id", "period", "stratification")]
    is_reference = frame["stratum"].to_numpy() == frame["stratification"].map(references).to_numpy()
    reference = frame.loc[
        is_reference, [*keys, "numerator", "denominator", "rate", "dq_pass", "suppressed"]
    ].rename(
        columns={
            "numerator": "ref_numerator",
            "denominator": "ref_denominator",
            "rate": "ref_rate",
            "dq_pass": "ref_dq_pass",
            "suppressed": "ref_suppressed",
        }
    )
    frame = frame.merge(reference, on=keys, how="left")
    ratio, lower, upper = risk_ratio_bounds(
        frame["numerator"],
        frame["denominator"],
        frame["ref_numerator"].fillna(0),
        frame["ref_denominator"].fillna(0),
    )
    frame["is_reference"] = (
        frame["stratum"].to_numpy() == frame["stratification"].map(references).to_numpy()
    )
    frame["ratio"] = np.where(frame["is_reference"], np.nan, ratio)
    frame["ratio_lower"], frame["ratio_upper"] = lower, upper
    frame["difference"] = np.where(frame["is_reference"], np.nan, frame["rate"] - frame["ref_rate"])
    better = frame["indicator_id"].map({i: d.better for i, d in catalogue.indicators.items()})
    better = better.astype(object)
    reliable = (
        frame["dq_pass"]
        & frame["ref_dq_pass"].fillna(False).astype(bool)
        & ~frame["suppressed"]
        & ~frame["ref_suppressed"].fillna(True).astype(bool)
    )
    frame["rag"] = traffic_lights(frame["ratio"], lower, upper, better, reliable)
    return frame.drop(columns=["ref_dq_pass", "ref_suppressed"])


def traffic_lights(
    ratio: pd.Series, lower: FloatArray, upper: FloatArray, better: pd.Series, reliable: pd.Series
) -> npt.NDArray[np.object_]:
    """`alerts.inequality.traffic_light` over arrays; None where there is no ratio or no
    direction (a neutral indicator has no worse side)."""
    value = ratio.to_numpy(dtype=np.float64)
    lower_is_better = (better == "lower").to_numpy()
    higher_is_better = (better == "higher").to_numpy()
    with np.errstate(invalid="ignore"):
        worse = (lower_is_better & (value > 1)) | (higher_is_better & (value < 1))
        significant = (lower_is_better & (lower > 1)) | (higher_is_better & (upper < 1))
    light = np.where(worse, np.where(significant & reliable.to_numpy(), "red", "amber"), "green")
    undefined = np.isnan(value) | ~(lower_is_better | higher_is_better)
    lights: npt.NDArray[np.object_] = light.astype(object)
    lights[undefined] = None
    return lights


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
    charts = _charts(grid, catalogue, month_range, _rebase_months(rebases))
    for row, key in enumerate(grid.keys):
        indicator = catalogue.indicators[key[0]]
        first, last = month_range[key[0]]
        span = slice(first - grid.first_month, last - grid.first_month + 1)
        points: dict[str, Any] = {name: column[row, span] for name, column in grid.columns.items()}
        points |= {name: column[row, span] for name, column in charts.items()}
        points["chart"] = "xmr" if key[1] == "overall" else "p_prime"
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


@dataclass(frozen=True)
class SeriesGrid:
    """Every series as a row of one 2-D array per figure, over every month of the run (months
    outside an indicator's range, or without a row, have no counts)."""

    keys: list[tuple[str, str, str]]
    first_month: int
    columns: dict[str, npt.NDArray[Any]]

    @classmethod
    def of(cls, figures: pd.DataFrame) -> SeriesGrid:
        ordered = figures.sort_values([*SERIES_KEY, "month"], kind="stable")
        codes = ordered.groupby(SERIES_KEY, sort=True, observed=True).ngroup().to_numpy()
        keys = [
            (str(a), str(b), str(c))
            for a, b, c in ordered[SERIES_KEY].drop_duplicates().itertuples(index=False)
        ]
        first = int(ordered["month"].min())
        shape = (len(keys), int(ordered["month"].max()) - first + 1)
        position = ordered["month"].to_numpy() - first
        columns: dict[str, npt.NDArray[Any]] = {}
        for name in COUNT_NAMES:
            columns[name] = np.zeros(shape, dtype=np.int64)
        for name in FIGURE_NAMES:
            columns[name] = np.full(shape, np.nan)
        for name in LABEL_NAMES:
            columns[name] = np.full(shape, None, dtype=object)
        for name, column in columns.items():
            column[codes, position] = ordered[name].to_numpy(dtype=column.dtype)
        for name in LABEL_NAMES:  # pandas writes a missing label as NaN; JSON wants null
            labels = columns[name]
            labels[pd.isna(labels)] = None
        return cls(keys, first, columns)


COUNT_NAMES = ("numerator", "denominator", "population", "complete")
FIGURE_NAMES = (
    "rate", "ci_lower", "ci_upper", "completeness", "ratio", "ratio_lower", "ratio_upper",
    "difference",
)  # fmt: skip
LABEL_NAMES = ("dq_pass", "suppressed", "rag")


def _charts(
    grid: SeriesGrid,
    catalogue: Catalogue,
    month_range: dict[str, tuple[int, int]],
    rebase_months: dict[tuple[str, str, str], list[int]],
) -> dict[str, npt.NDArray[Any]]:
    """Every series' SPC: XmR on the overall series, Laney p′ (or exact binomial limits) on
    strata, classified by the MDC rules; strata without a rebase in one batch."""
    shape = grid.columns["rate"].shape
    out: dict[str, npt.NDArray[Any]] = {
        "centre": np.full(shape, np.nan),
        "lower_limit": np.full(shape, np.nan),
        "upper_limit": np.full(shape, np.nan),
        "point_type": np.full(shape, "common_cause", dtype=object),
        "rule": np.full(shape, None, dtype=object),
        "rebase_group": np.zeros(shape, dtype=np.int64),
    }
    usable = grid.columns["dq_pass"] == True  # noqa: E712 - an object array of True/False/None
    batch: list[int] = []
    for row, key in enumerate(grid.keys):
        indicator = catalogue.indicators[key[0]]
        first, last = month_range[key[0]]
        span = slice(first - grid.first_month, last - grid.first_month + 1)
        starts = sorted({m - first for m in rebase_months.get(key, ()) if first < m <= last})
        if key[1] == "overall":
            chart = _xmr_chart(
                grid.columns["rate"][row, span], usable[row, span], indicator, starts
            )
        elif starts:
            chart = _proportion_chart(
                grid.columns["numerator"][row, span],
                grid.columns["denominator"][row, span],
                usable[row, span],
                indicator,
                starts,
            )
        else:
            batch.append(row)
            continue
        for name, values in chart.items():
            out[name][row, span] = values
    if batch:
        _proportion_batch(grid, catalogue, usable, np.array(batch), out)
    return out


def _proportion_batch(
    grid: SeriesGrid,
    catalogue: Catalogue,
    usable: npt.NDArray[np.bool_],
    rows: npt.NDArray[np.int64],
    out: dict[str, npt.NDArray[Any]],
) -> None:
    indicators = [catalogue.indicators[grid.keys[r][0]] for r in rows]
    per = np.array([i.per for i in indicators], dtype=np.float64)[:, None]
    sign = np.array([IMPROVEMENT_SIGN[i.improvement] for i in indicators])
    x = np.where(usable[rows], grid.columns["numerator"][rows], 0).astype(np.float64)
    n = np.where(usable[rows], grid.columns["denominator"][rows], 0).astype(np.float64)
    values, centre, lower, upper = proportion_limits_batch(x, n, laney=True)
    exact = needs_exact_limits(n, centre)
    if exact.any():
        lower[exact], upper[exact] = binomial_limits(n[exact], centre[exact])
    centre_line = np.broadcast_to(centre[:, None], values.shape) * per
    classified = classify(values * per, centre_line, lower * per, upper * per, sign, RuleOptions())
    counted = n > 0
    out["centre"][rows] = centre_line
    out["lower_limit"][rows] = np.where(counted, lower * per, np.nan)
    out["upper_limit"][rows] = np.where(counted, upper * per, np.nan)
    out["point_type"][rows] = classified.point_type
    out["rule"][rows] = classified.rule


def _rebase_months(rebases: Sequence[Rebase]) -> dict[tuple[str, str, str], list[int]]:
    months: dict[tuple[str, str, str], list[int]] = {}
    for rebase in rebases:
        key = (rebase.indicator_id, rebase.stratification, rebase.stratum)
        months.setdefault(key, []).append(rebase.period.year * 12 + rebase.period.month - 1)
    return months


def _xmr_chart(
    rate: FloatArray, usable: npt.NDArray[np.bool_], indicator: Indicator, starts: list[int]
) -> dict[str, Any]:
    chart = xmr_columns(
        np.where(usable, rate, np.nan),
        improvement=indicator.improvement,  # type: ignore[arg-type]
        rebase_at=starts,
    )
    return {
        "centre": chart["mean"],
        "lower_limit": chart["lpl"],
        "upper_limit": chart["upl"],
        "point_type": chart["point_type"],
        "rule": chart["special_cause_rule"],
        "rebase_group": chart["rebase_group"],
    }


def _proportion_chart(
    numerator: npt.NDArray[np.int64],
    denominator: npt.NDArray[np.int64],
    usable: npt.NDArray[np.bool_],
    indicator: Indicator,
    starts: list[int],
) -> dict[str, Any]:
    """One stratum's chart with rebases: a Laney p′ chart (exact limits for rare events) per
    rebase group, with the MDC rules against its centre and limits."""
    length = len(numerator)
    x = np.where(usable, numerator, 0).astype(np.float64)
    n = np.where(usable, denominator, 0).astype(np.float64)
    out = {name: np.full(length, np.nan) for name in ("centre", "lower_limit", "upper_limit")}
    kinds = np.full(length, "common_cause", dtype=object)
    rules = np.full(length, None, dtype=object)
    groups = np.zeros(length, dtype=np.int64)
    per = indicator.per
    for group, (start, stop) in enumerate(itertools.pairwise([0, *starts, length])):
        part = slice(start, stop)
        values, centre, lower, upper = proportion_limits(x[part], n[part], laney=True)
        if needs_exact_limits(n[part], centre)[0]:
            lower, upper = binomial_limits(n[part], centre)
        centre_line = np.full(stop - start, centre * per)
        kind, rule, *_ = point_types(
            values * per, centre_line, lower * per, upper * per,
            indicator.improvement, RuleOptions(),  # type: ignore[arg-type]
        )  # fmt: skip
        out["centre"][part] = centre_line
        out["lower_limit"][part] = np.where(n[part] > 0, lower * per, np.nan)
        out["upper_limit"][part] = np.where(n[part] > 0, upper * per, np.nan)
        kinds[part], rules[part], groups[part] = kind, rule, group
    return {**out, "point_type": kinds, "rule": rules, "rebase_group": groups}


def _window_figures(
    figures: pd.DataFrame, catalogue: Catalogue, ranges: pd.DataFrame
) -> pd.DataFrame:
    """Each series summed over the indicator's latest window of months, with its figures."""
    latest = figures["indicator_id"].map(ranges["max"]).astype(np.int64)
    recent = figures[figures["month"] > latest - catalogue.summary_window_months]
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
