"""Interventions and whether the concern they addressed reduced: the before/after report.

The months from the intervention on are judged against the limits of the months before it, so
"did it work?" reads as MDC charts read: special-cause improvement after the change, not just a
lower average. Pure: a series' points in, the report out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from alerts.inequality import risk_ratio
from alerts.spc.rules import Improvement, RuleOptions, point_types
from alerts.spc.xmr import PROCESS_LIMIT, group_limits

MINIMUM_MONTHS_BEFORE = 2  # a mean and one moving range


@dataclass(frozen=True)
class BeforeAfter:
    months_before: int
    months_after: int
    mean_before: float | None  # the mean of the monthly rates
    mean_after: float | None
    rate_before: float | None  # Σ numerator / Σ denominator, in the indicator's unit
    rate_after: float | None
    ratio: float | None  # rate after / rate before, with its 95% interval
    ratio_lower: float | None
    ratio_upper: float | None
    limits_before: tuple[float, float] | None  # (lower, upper) process limits before
    after_point_types: tuple[str, ...]
    special_cause_improvement_after: bool
    special_cause_concern_after: bool
    summary: str


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def before_after(
    points: dict[str, Any], started_on: date, *, improvement: Improvement, per: int
) -> BeforeAfter:
    """The report for an intervention that started on `started_on` (its month is the first
    month "after"). Months failing the data-quality gate take no part."""
    months = np.asarray(points["month"], dtype=np.int64)
    rate = np.array([np.nan if v is None else v for v in points["rate"]], dtype=np.float64)
    usable = np.array([bool(v) for v in points["dq_pass"]]) & ~np.isnan(rate)
    numerator = np.asarray(points["numerator"], dtype=np.float64)
    denominator = np.asarray(points["denominator"], dtype=np.float64)
    after = months >= month_index(started_on)
    before_rates = rate[~after & usable]
    after_rates = np.where(usable, rate, np.nan)[after]
    x_before, n_before = numerator[~after & usable].sum(), denominator[~after & usable].sum()
    x_after, n_after = numerator[after & usable].sum(), denominator[after & usable].sum()
    ratio = risk_ratio(x_after, n_after, x_before, n_before) if n_before and n_after else None
    kinds: tuple[str, ...] = ()
    limits = None
    if len(before_rates) >= MINIMUM_MONTHS_BEFORE and len(after_rates):
        mean, moving_range = group_limits(before_rates, fix_after=None, screen_outliers=True)
        limits = (mean - PROCESS_LIMIT * moving_range, mean + PROCESS_LIMIT * moving_range)
        kinds = _judged_against(after_rates, mean, limits, improvement)
    report = BeforeAfter(
        months_before=len(before_rates),
        months_after=int(np.count_nonzero(~np.isnan(after_rates))),
        mean_before=_mean(before_rates),
        mean_after=_mean(after_rates),
        rate_before=float(x_before / n_before * per) if n_before else None,
        rate_after=float(x_after / n_after * per) if n_after else None,
        ratio=ratio[0] if ratio else None,
        ratio_lower=ratio[1] if ratio else None,
        ratio_upper=ratio[2] if ratio else None,
        limits_before=limits,
        after_point_types=kinds,
        special_cause_improvement_after="special_cause_improvement" in kinds,
        special_cause_concern_after="special_cause_concern" in kinds,
        summary="",
    )
    return _with_summary(report)


def _judged_against(
    after: npt.NDArray[np.float64],
    mean: float,
    limits: tuple[float, float],
    improvement: Improvement,
) -> tuple[str, ...]:
    """Point types of the months after, on a chart with the before months' mean and limits.
    Only the months after are on it, so a run must lie wholly after the change to count."""
    size = len(after)
    kinds, *_ = point_types(
        after,
        np.full(size, mean),
        np.full(size, limits[0]),
        np.full(size, limits[1]),
        improvement,
        RuleOptions(),
    )
    return tuple(str(k) for k in kinds)


def _mean(values: npt.NDArray[np.float64]) -> float | None:
    present = values[~np.isnan(values)]
    return float(present.mean()) if len(present) else None


def _with_summary(report: BeforeAfter) -> BeforeAfter:
    if report.limits_before is None:
        text = "Not enough months on both sides of the intervention to judge it yet."
    elif report.special_cause_improvement_after and not report.special_cause_concern_after:
        text = (
            "Since the intervention the chart shows special-cause improvement against the "
            "limits before it: the change is unlikely to be chance."
        )
    elif report.special_cause_concern_after:
        text = "Since the intervention the chart shows special-cause concern: things got worse."
    else:
        text = (
            "Since the intervention the months are within the variation seen before it: "
            "no evidence of a change yet."
        )
    return BeforeAfter(**{**vars(report), "summary": text})
