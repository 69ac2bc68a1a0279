"""A group against the reference group: risk and rate ratios with log-scale confidence
intervals, and the disparity traffic light."""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import numpy.typing as npt

from alerts.inequality.confidence import z_value

FloatArray = npt.NDArray[np.float64]

Ratio = tuple[float | None, float | None, float | None]
TrafficLight = Literal["red", "amber", "green"]


def _log_interval(ratio: float, standard_error: float, confidence: float) -> Ratio:
    z = z_value(confidence)
    log_ratio = math.log(ratio)
    return (
        ratio,
        math.exp(log_ratio - z * standard_error),
        math.exp(log_ratio + z * standard_error),
    )


def risk_ratio(a: float, n1: float, c: float, n2: float, confidence: float = 0.95) -> Ratio:
    """(a/n1) / (c/n2) with SE(log RR) = sqrt(1/a − 1/n1 + 1/c − 1/n2). With no events in a
    group the ratio has no log-scale interval: (ratio or None, None, None)."""
    if n1 > 0 and n2 > 0 and not (0 <= a <= n1 and 0 <= c <= n2):
        raise ValueError("a risk ratio needs 0 ≤ events ≤ population in both groups")
    ratio, lower, upper = risk_ratio_bounds(
        np.array([a]), np.array([n1]), np.array([c]), np.array([n2]), confidence
    )
    return _scalar(ratio[0]), _scalar(lower[0]), _scalar(upper[0])


def risk_ratio_bounds(
    a: npt.ArrayLike, n1: npt.ArrayLike, c: npt.ArrayLike, n2: npt.ArrayLike,
    confidence: float = 0.95,
) -> tuple[FloatArray, FloatArray, FloatArray]:  # fmt: skip
    """`risk_ratio` over arrays, NaN where a value is undefined."""
    a, n1, c, n2 = (np.asarray(v, dtype=np.float64) for v in (a, n1, c, n2))
    z = z_value(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        defined = (n1 > 0) & (n2 > 0) & (c > 0)
        ratio = np.where(defined, (a / n1) / (c / n2), np.nan)
        interval = defined & (a > 0)
        se = np.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
        lower = np.where(interval, ratio * np.exp(-z * se), np.nan)
        upper = np.where(interval, ratio * np.exp(z * se), np.nan)
    return ratio, lower, upper


def _scalar(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def rate_ratio(o1: float, t1: float, o2: float, t2: float, confidence: float = 0.95) -> Ratio:
    """(o1/t1) / (o2/t2) with SE(log RR) = sqrt(1/o1 + 1/o2)."""
    if t1 <= 0 or t2 <= 0 or o2 == 0:
        return None, None, None
    if o1 < 0 or o2 < 0:
        raise ValueError("event counts cannot be negative")
    ratio = (o1 / t1) / (o2 / t2)
    if o1 == 0:
        return ratio, None, None
    return _log_interval(ratio, math.sqrt(1 / o1 + 1 / o2), confidence)


def traffic_light(
    ratio: float | None,
    lower: float | None,
    upper: float | None,
    *,
    higher_is_better: bool,
    reliable: bool = True,
) -> TrafficLight | None:
    """Red when the group fares worse than the reference and the ratio's interval excludes 1;
    amber when worse but not significantly; green otherwise. None when there is nothing to
    judge, and never red on a suppressed or data-quality-failed rate (`reliable=False`)."""
    if ratio is None:
        return None
    worse = ratio < 1 if higher_is_better else ratio > 1
    if not worse:
        return "green"
    significant = (
        upper is not None and upper < 1 if higher_is_better else lower is not None and lower > 1
    )
    return "red" if significant and reliable else "amber"
