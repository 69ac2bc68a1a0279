"""The Making Data Count special-cause rules, as NHSRplotthedots 0.2.2 applies them to one group
of points (a whole series, or the part after a rebase).

Each rule is vectorised over the points of a group. Points without a value (NaN months) take no
part: the rules run over the points that have one, as the chart draws them side by side.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

Improvement = Literal["increase", "decrease", "neutral"]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

POINT_TYPES = (
    "common_cause",
    "special_cause_improvement",
    "special_cause_concern",
    "special_cause_neutral_high",
    "special_cause_neutral_low",
)
# A point flagged by several rules is named after the first of these (NHSRplotthedots' order).
RULE_PRECEDENCE = ("outside_limits", "trend", "two_in_three", "shift")
IMPROVEMENT_SIGN = {"increase": 1, "decrease": -1, "neutral": 0}


@dataclass(frozen=True)
class RuleOptions:
    run_length: int = 7
    two_in_three_beyond_limits: bool = False
    improvement_wins: bool = False


def _part_of_run(run_ends: BoolArray, run_length: int) -> BoolArray:
    """Every point of a run, given the points where a full run ends."""
    part = run_ends.copy()
    for offset in range(1, run_length):
        part[:-offset] |= run_ends[offset:]
    return part


def shift_ends(relative_to_mean: FloatArray, run_length: int) -> BoolArray:
    """Points ending `run_length` points on the same side of the mean (on the mean breaks it)."""
    ends: BoolArray = np.asarray(relative_to_mean != 0)
    for back in range(1, run_length):
        ends[back:] &= relative_to_mean[back:] == relative_to_mean[:-back]
    ends[: run_length - 1] = False
    return ends


def trend_ends(values: FloatArray, run_length: int) -> npt.NDArray[np.int64]:
    """+1 / −1 where `run_length` points strictly increasing / decreasing end (a tie breaks it)."""
    ends = np.zeros(len(values), dtype=np.int64)
    if len(values) < run_length:
        return ends
    steps = np.sign(np.diff(values))
    for direction in (1, -1):
        run = np.ones(len(values), dtype=bool)
        run[0] = False
        run[1:] = steps == direction
        full = run.copy()
        for back in range(1, run_length - 1):
            full[back:] &= run[:-back]
        full[: run_length - 1] = False
        ends[full] = direction
    return ends


def trend_directions(values: FloatArray, part_of_trend: BoolArray) -> npt.NDArray[np.int64]:
    """A trend point's direction from the slope: the step to the next point when that point is
    in the trend too, else the step from the previous point (NHSRplotthedots issue #171)."""
    steps = np.sign(np.diff(values)).astype(np.int64)
    if len(values) == 0:
        return steps
    right = np.append(steps, steps[-1:] if len(steps) else [0])
    left = np.insert(steps, 0, 0)
    next_in_trend = np.append(part_of_trend[1:], False)
    sign = np.where(next_in_trend & part_of_trend, right, left)
    # The package writes "Increasing" only for a step of +1; anything else reads as decreasing.
    return np.where(sign == 1, 1, -1)


def two_in_three(close: BoolArray, relative_to_mean: FloatArray) -> BoolArray:
    """Points close to a limit that sit in a window of three, all on one side of the mean, with
    at least two of them close to that limit."""
    count = len(close)
    padded_close = np.concatenate([[0, 0], close.astype(np.int64), [0, 0]])
    padded_side = np.concatenate([[0.0, 0.0], relative_to_mean, [0.0, 0.0]])
    flagged = np.zeros(count, dtype=bool)
    for start in range(3):
        window_close = sum(padded_close[start + k : start + k + count] for k in range(3))
        window_side = sum(padded_side[start + k : start + k + count] for k in range(3))
        flagged |= (window_close >= 2) & (np.abs(window_side) == 3)
    return flagged & close


def point_types(
    values: FloatArray,
    centre: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    improvement: Improvement,
    options: RuleOptions,
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.object_], FloatArray, BoolArray, BoolArray]:
    """Classify each point of one group: (point_type, special_cause_rule, relative_to_mean,
    outside_limits, close_to_limits). NaN values are common cause and take no part in runs."""
    count = len(values)
    kinds = np.full(count, "common_cause", dtype=object)
    rules = np.full(count, None, dtype=object)
    relative = np.sign(values - centre)
    relative[np.isnan(relative)] = 0.0
    near_lower = centre - (centre - lower) * 2 / 3
    near_upper = centre + (upper - centre) * 2 / 3
    with np.errstate(invalid="ignore"):
        outside = (values > upper) | (values < lower)
        beyond_near = (values < near_lower) | (values > near_upper)
    close = beyond_near if options.two_in_three_beyond_limits else beyond_near & ~outside

    present = ~np.isnan(values)
    y, side = values[present], relative[present]
    k = options.run_length
    trend_part = _part_of_run(trend_ends(y, k) != 0, k)
    hits = {
        "outside_limits": outside[present],
        "trend": trend_part,
        "two_in_three": two_in_three(close[present], side),
        "shift": _part_of_run(shift_ends(side, k), k),
    }
    side_direction = np.where(side > 0, 1, -1)
    directions = {
        "outside_limits": np.where(side == 1, 1, -1),
        "trend": trend_directions(y, trend_part),
        "two_in_three": side_direction,
        "shift": side_direction,
    }
    sign = IMPROVEMENT_SIGN[improvement]
    present_kinds = np.full(len(y), "common_cause", dtype=object)
    present_rules = np.full(len(y), None, dtype=object)
    decided = np.zeros(len(y), dtype=bool)
    for rule in RULE_PRECEDENCE:
        take = hits[rule] & ~decided
        present_rules[take] = rule
        present_kinds[take] = _kind(directions[rule][take], sign)
        decided |= take
    if options.improvement_wins and sign != 0:
        # MDC Excel variant: a point that any rule reads as an improvement is an improvement.
        won = np.zeros(len(y), dtype=bool)
        for rule in RULE_PRECEDENCE:
            better = hits[rule] & (directions[rule] * sign > 0) & ~won
            present_kinds[better] = "special_cause_improvement"
            present_rules[better] = rule
            won |= better
    kinds[present] = present_kinds
    rules[present] = present_rules
    return kinds, rules, relative, outside & present, close & present


def _kind(direction: npt.NDArray[np.int64], improvement_sign: int) -> npt.NDArray[np.object_]:
    if improvement_sign == 0:
        return np.where(direction > 0, "special_cause_neutral_high", "special_cause_neutral_low")
    return np.where(
        direction * improvement_sign > 0, "special_cause_improvement", "special_cause_concern"
    )
