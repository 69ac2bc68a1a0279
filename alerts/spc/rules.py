"""The Making Data Count special-cause rules, as NHSRplotthedots 0.2.2 applies them to a group
of points (a whole series, or the part after a rebase).

Every rule works on a batch of series at once (rows of a 2-D array), so an indicator run can
classify its ~1,500 strata charts in one pass; the 1-D functions are that batch with one row.
Points without a value (NaN months) take no part: each row's points are first packed to the
left, so the rules see the points that have a value side by side, as the chart draws them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

Improvement = Literal["increase", "decrease", "neutral"]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
ObjectArray = npt.NDArray[np.object_]

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


def _rows(array: npt.ArrayLike) -> npt.NDArray[np.generic]:
    values = np.asarray(array)
    return values[None, :] if values.ndim == 1 else values


def part_of_run(run_ends: BoolArray, run_length: int) -> BoolArray:
    """Every point of a run, given the points where a full run ends (per row)."""
    ends = _rows(run_ends).astype(bool)
    part = ends.copy()
    for offset in range(1, run_length):
        part[:, :-offset] |= ends[:, offset:]
    return part.reshape(np.shape(run_ends))


def shift_ends(relative_to_mean: FloatArray, run_length: int) -> BoolArray:
    """Points ending `run_length` points on the same side of the mean (on the mean breaks it)."""
    side = _rows(relative_to_mean)
    ends: BoolArray = side != 0
    for back in range(1, run_length):
        ends[:, back:] &= side[:, back:] == side[:, :-back]
    ends[:, : run_length - 1] = False
    return ends.reshape(np.shape(relative_to_mean))


def trend_ends(values: FloatArray, run_length: int) -> IntArray:
    """+1 / −1 where `run_length` points strictly increasing / decreasing end (a tie, or a
    missing point, breaks it)."""
    y = _rows(values).astype(np.float64)
    ends = np.zeros(y.shape, dtype=np.int64)
    if y.shape[1] >= run_length:
        steps = np.nan_to_num(np.sign(np.diff(y, axis=1)), nan=0.0)
        for direction in (1, -1):
            run = np.zeros(y.shape, dtype=bool)
            run[:, 1:] = steps == direction
            full = run.copy()
            for back in range(1, run_length - 1):
                full[:, back:] &= run[:, :-back]
            full[:, : run_length - 1] = False
            ends[full] = direction
    return ends.reshape(np.shape(values))


def trend_directions(values: FloatArray, part_of_trend: BoolArray) -> IntArray:
    """A trend point's direction from the slope: the step to the next point when that point is
    in the trend too, else the step from the previous point (NHSRplotthedots issue #171)."""
    y = _rows(values).astype(np.float64)
    part = _rows(part_of_trend).astype(bool)
    if y.shape[1] == 0:
        return np.zeros(np.shape(values), dtype=np.int64)
    steps = np.nan_to_num(np.sign(np.diff(y, axis=1)), nan=0.0).astype(np.int64)
    last = steps[:, -1:] if steps.shape[1] else np.zeros((len(y), 1), dtype=np.int64)
    right = np.concatenate([steps, last], axis=1)
    left = np.concatenate([np.zeros((len(y), 1), dtype=np.int64), steps], axis=1)
    next_in_trend = np.concatenate([part[:, 1:], np.zeros((len(y), 1), dtype=bool)], axis=1)
    sign = np.where(next_in_trend & part, right, left)
    # The package writes "Increasing" only for a step of +1; anything else reads as decreasing.
    return np.where(sign == 1, 1, -1).reshape(np.shape(values))


def two_in_three(close: BoolArray, relative_to_mean: FloatArray) -> BoolArray:
    """Points close to a limit that sit in a window of three, all on one side of the mean, with
    at least two of them close to that limit."""
    near = _rows(close).astype(np.int64)
    side = _rows(relative_to_mean).astype(np.float64)
    rows, count = near.shape
    padded_close = np.zeros((rows, count + 4), dtype=np.int64)
    padded_side = np.zeros((rows, count + 4))
    padded_close[:, 2 : count + 2] = near
    padded_side[:, 2 : count + 2] = side
    flagged = np.zeros((rows, count), dtype=bool)
    for start in range(3):
        window_close = sum(padded_close[:, start + k : start + k + count] for k in range(3))
        window_side = sum(padded_side[:, start + k : start + k + count] for k in range(3))
        flagged |= (window_close >= 2) & (np.abs(window_side) == 3)
    result: BoolArray = (flagged & (near == 1)).reshape(np.shape(close))
    return result


@dataclass(frozen=True)
class Classified:
    point_type: ObjectArray
    rule: ObjectArray  # the special-cause rule that named the point, or None
    relative_to_mean: FloatArray
    outside_limits: BoolArray
    close_to_limits: BoolArray


def classify(
    values: FloatArray,
    centre: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    improvement_sign: IntArray | int,
    options: RuleOptions,
) -> Classified:
    """Classify every point of a batch of groups (one group per row, all arrays of one shape;
    `improvement_sign` per row: +1 increase, −1 decrease, 0 neutral)."""
    y = np.asarray(values, dtype=np.float64)
    relative = np.nan_to_num(np.sign(y - centre), nan=0.0)
    near_lower = centre - (centre - lower) * 2 / 3
    near_upper = centre + (upper - centre) * 2 / 3
    with np.errstate(invalid="ignore"):
        outside = (y > upper) | (y < lower)
        beyond_near = (y < near_lower) | (y > near_upper)
    close = beyond_near if options.two_in_three_beyond_limits else beyond_near & ~outside
    present = ~np.isnan(y)
    # Pack each row's present points to the left; the padding breaks every run.
    order = np.argsort(~present, axis=1, kind="stable")
    valid = np.take_along_axis(present, order, axis=1)
    packed_y = np.where(valid, np.take_along_axis(y, order, axis=1), np.nan)
    side = np.where(valid, np.take_along_axis(relative, order, axis=1), 0.0)
    packed_outside = valid & np.take_along_axis(outside, order, axis=1)
    packed_close = valid & np.take_along_axis(close, order, axis=1)
    k = options.run_length
    trend_part = part_of_run(trend_ends(packed_y, k) != 0, k)
    hits = {
        "outside_limits": packed_outside,
        "trend": trend_part,
        "two_in_three": two_in_three(packed_close, side),
        "shift": part_of_run(shift_ends(side, k), k),
    }
    side_direction = np.where(side > 0, 1, -1)
    directions = {
        "outside_limits": np.where(side == 1, 1, -1),
        "trend": trend_directions(packed_y, trend_part),
        "two_in_three": side_direction,
        "shift": side_direction,
    }
    sign = np.broadcast_to(np.asarray(improvement_sign).reshape(-1, 1), y.shape)
    kinds = np.full(y.shape, "common_cause", dtype=object)
    rules = np.full(y.shape, None, dtype=object)
    decided = np.zeros(y.shape, dtype=bool)
    for rule in RULE_PRECEDENCE:
        take = hits[rule] & ~decided
        rules[take] = rule
        kinds[take] = _kind(directions[rule][take], sign[take])
        decided |= take
    if options.improvement_wins:
        # MDC Excel variant: a point that any rule reads as an improvement is an improvement.
        won = np.zeros(y.shape, dtype=bool)
        for rule in RULE_PRECEDENCE:
            better = hits[rule] & (directions[rule] * sign > 0) & ~won
            kinds[better] = "special_cause_improvement"
            rules[better] = rule
            won |= better
    point_type = np.empty(y.shape, dtype=object)
    rule_name = np.empty(y.shape, dtype=object)
    np.put_along_axis(point_type, order, kinds, axis=1)
    np.put_along_axis(rule_name, order, rules, axis=1)
    return Classified(point_type, rule_name, relative, outside & present, close & present)


def _kind(direction: IntArray, improvement_sign: IntArray) -> ObjectArray:
    neutral = np.where(direction > 0, "special_cause_neutral_high", "special_cause_neutral_low")
    directed = np.where(
        direction * improvement_sign > 0, "special_cause_improvement", "special_cause_concern"
    )
    return np.where(improvement_sign == 0, neutral, directed).astype(object)


def point_types(
    values: FloatArray,
    centre: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    improvement: Improvement,
    options: RuleOptions,
) -> tuple[ObjectArray, ObjectArray, FloatArray, BoolArray, BoolArray]:
    """Classify each point of one group: (point_type, special_cause_rule, relative_to_mean,
    outside_limits, close_to_limits). NaN values are common cause and take no part in runs."""
    result = classify(
        np.asarray(values, dtype=np.float64)[None, :],
        np.asarray(centre, dtype=np.float64)[None, :],
        np.asarray(lower, dtype=np.float64)[None, :],
        np.asarray(upper, dtype=np.float64)[None, :],
        IMPROVEMENT_SIGN[improvement],
        options,
    )
    return (
        result.point_type[0],
        result.rule[0],
        result.relative_to_mean[0],
        result.outside_limits[0],
        result.close_to_limits[0],
    )
