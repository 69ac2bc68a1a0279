"""XmR (individuals) charts exactly as NHSRplotthedots 0.2.2 computes them.

Limits, per group (the whole series, or the part after each rebase): the mean of the values
(of the first `fix_after` when limits are fixed); moving ranges within the group; moving ranges
not under 3.267 × their mean screened out once; process limits at mean ± 2.66 × mean moving range.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from alerts.spc.rules import FloatArray, Improvement, RuleOptions, point_types

PROCESS_LIMIT = 2.66
SCREENING_LIMIT = 3.267
MINIMUM_FIXED_POINTS = 12
TRIAL_LIMIT_POINTS = 13  # MDC: fewer points than this give "trial limits"

COLUMNS = (
    "value",
    "rebase_group",
    "mean",
    "lpl",
    "upl",
    "nlpl",
    "nupl",
    "outside_limits",
    "relative_to_mean",
    "close_to_limits",
    "special_cause_rule",
    "point_type",
    "trial_limits",
)


def _mean_or_nan(values: FloatArray) -> float:
    present = values[~np.isnan(values)]
    return float(present.mean()) if len(present) else float("nan")


def group_limits(
    values: FloatArray, *, fix_after: int | None, screen_outliers: bool
) -> tuple[float, float]:
    """(mean, mean moving range) of one group; NaN when the group has too few values."""
    basis = values[:fix_after] if fix_after is not None else values
    mean = _mean_or_nan(basis)
    moving_ranges = np.abs(np.diff(basis))
    mean_range = _mean_or_nan(moving_ranges)
    if screen_outliers:
        with np.errstate(invalid="ignore"):
            kept = moving_ranges[moving_ranges < SCREENING_LIMIT * mean_range]
        mean_range = _mean_or_nan(kept)
    return mean, mean_range


def group_starts(count: int, rebase_at: Iterable[int]) -> list[int]:
    starts = sorted({0, *(int(p) for p in rebase_at)})
    for position in starts:
        if not 0 <= position < count:
            raise ValueError(
                f"rebase_at position {position} is outside the series (0..{count - 1})"
            )
    return starts


def xmr(
    values: Sequence[float] | FloatArray | pd.Series,
    *,
    improvement: Improvement = "neutral",
    rebase_at: Iterable[int] = (),
    fix_after: int | None = None,
    screen_outliers: bool = True,
    run_length: int = 7,
    two_in_three_beyond_limits: bool = False,
    improvement_wins: bool = False,
) -> pd.DataFrame:
    """One row per point: its group's mean and process limits, the rule flags and its point type.

    `rebase_at` holds 0-based positions where a new group starts; `fix_after` (≥ 12) fixes each
    group's limits on its first points. The defaults reproduce NHSRplotthedots 0.2.2; the other
    options are the MDC Excel tool's variants.
    """
    if improvement not in ("increase", "decrease", "neutral"):
        raise ValueError(f"improvement must be increase, decrease or neutral, not {improvement!r}")
    if fix_after is not None and fix_after < MINIMUM_FIXED_POINTS:
        raise ValueError(f"fix_after must be at least {MINIMUM_FIXED_POINTS} points")
    if run_length < 2:
        raise ValueError("run_length must be at least 2")
    columns = xmr_columns(
        np.asarray(values, dtype=np.float64),
        improvement,
        rebase_at,
        fix_after,
        screen_outliers,
        RuleOptions(run_length, two_in_three_beyond_limits, improvement_wins),
    )
    frame = pd.DataFrame(columns, columns=list(COLUMNS))
    rule_names = frame["special_cause_rule"].astype(object)  # pandas reads None as NaN
    frame["special_cause_rule"] = rule_names.where(rule_names.notna(), None)
    return frame


def xmr_columns(
    y: FloatArray,
    improvement: Improvement,
    rebase_at: Iterable[int],
    fix_after: int | None,
    screen_outliers: bool,
    options: RuleOptions,
) -> dict[str, npt.NDArray[Any]]:
    """`xmr`'s columns as arrays (its arguments already checked), for callers charting many
    series, to whom a DataFrame per chart would cost more than the chart."""
    count = len(y)
    floats = ("mean", "lpl", "upl", "nlpl", "nupl", "relative_to_mean")
    flags = ("outside_limits", "close_to_limits", "trial_limits")
    columns: dict[str, npt.NDArray[Any]] = {
        "value": y.copy(),
        "rebase_group": np.zeros(count, dtype=np.int64),
        **{name: np.full(count, np.nan) for name in floats},
        **{name: np.zeros(count, dtype=bool) for name in flags},
        "special_cause_rule": np.full(count, None, dtype=object),
        "point_type": np.full(count, "common_cause", dtype=object),
    }
    starts = group_starts(count, rebase_at) if count else []
    for group, (start, stop) in enumerate(zip(starts, [*starts[1:], count], strict=False)):
        part = y[start:stop]
        mean, mean_range = group_limits(part, fix_after=fix_after, screen_outliers=screen_outliers)
        centre = np.full(stop - start, mean)
        lower = centre - PROCESS_LIMIT * mean_range
        upper = centre + PROCESS_LIMIT * mean_range
        kinds, rules, relative, outside, close = point_types(
            part, centre, lower, upper, improvement, options
        )
        span = slice(start, stop)
        columns["rebase_group"][span] = group
        columns["mean"][span] = centre
        columns["lpl"][span] = lower
        columns["upl"][span] = upper
        columns["nlpl"][span] = centre - 2 * PROCESS_LIMIT / 3 * mean_range
        columns["nupl"][span] = centre + 2 * PROCESS_LIMIT / 3 * mean_range
        columns["outside_limits"][span] = outside
        columns["relative_to_mean"][span] = relative
        columns["close_to_limits"][span] = close
        columns["special_cause_rule"][span] = rules
        columns["point_type"][span] = kinds
        columns["trial_limits"][span] = np.count_nonzero(~np.isnan(part)) < TRIAL_LIMIT_POINTS
    return columns
