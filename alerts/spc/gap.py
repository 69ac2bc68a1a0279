"""SPC on the gap between groups: an XmR chart of each group's monthly rate difference from its
reference group, classified by the Making Data Count rules, so a widening or narrowing
inequality is a signal of its own even where neither group's own chart moves.

The limits are those of `xmr.py` (NHSRplotthedots 0.2.2: the mean, moving ranges screened once
at 3.267 × their mean, process limits at mean ± 2.66 × mean moving range), computed for every
row of a 2-D array at once; a month with no difference (a group or its reference without
births, or failing the completeness gate) is a gap in the chart and takes no part in it.
Pure: arrays in, arrays out."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from alerts.spc.rules import FloatArray, RuleOptions, classify
from alerts.spc.xmr import PROCESS_LIMIT, SCREENING_LIMIT


def gap_charts(
    difference: npt.ArrayLike, improvement_sign: npt.ArrayLike
) -> dict[str, npt.NDArray[Any]]:
    """One XmR chart per row of `difference` (group rate minus reference rate, NaN where
    there is none); `improvement_sign` per row: −1 where a smaller gap is better (the group's
    rate falling towards or below the reference's on an indicator where lower is better), +1
    where a larger one is, 0 for neither."""
    values = np.asarray(difference, dtype=np.float64)
    if values.ndim != 2:
        raise ValueError("gap_charts needs a 2-D array: one row per group")
    mean = _row_mean(values)
    ranges = _moving_ranges(values)
    mean_range = _row_mean(ranges)
    with np.errstate(invalid="ignore"):
        screened = np.where(ranges < SCREENING_LIMIT * mean_range[:, None], ranges, np.nan)
    mean_range = _row_mean(screened)
    centre = np.broadcast_to(mean[:, None], values.shape)
    spread = np.broadcast_to((PROCESS_LIMIT * mean_range)[:, None], values.shape)
    lower, upper = centre - spread, centre + spread
    classified = classify(
        values,
        centre,
        lower,
        upper,
        np.asarray(improvement_sign, dtype=np.int64),
        RuleOptions(),
    )
    present = ~np.isnan(values)
    return {
        "gap_centre": np.where(present, centre, np.nan),
        "gap_lower": np.where(present, lower, np.nan),
        "gap_upper": np.where(present, upper, np.nan),
        "gap_point_type": np.where(present, classified.point_type, "common_cause"),
    }


def _moving_ranges(values: FloatArray) -> FloatArray:
    """|x(t) − x(t−1)| between consecutive present values of each row, at the later one's place
    (a gap is skipped, as NHSRplotthedots drops missing months before charting)."""
    ranges = np.full(values.shape, np.nan)
    for row in range(values.shape[0]):
        present = np.flatnonzero(~np.isnan(values[row]))
        if len(present) > 1:
            ranges[row, present[1:]] = np.abs(np.diff(values[row, present]))
    return ranges


def _row_mean(values: FloatArray) -> FloatArray:
    counts = np.sum(~np.isnan(values), axis=1)
    totals = np.nansum(values, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, totals / np.maximum(counts, 1), np.nan)
