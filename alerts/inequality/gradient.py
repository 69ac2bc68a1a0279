"""Slope and Relative Index of Inequality across deprivation quantiles.

As Public Health England's `phe_sii` (PHEindicatormethods) defines them: the quantiles are ordered
from quantile 1, the most deprived, to the least deprived, and each sits at the midpoint of its
cumulative population share, so x runs from 0 (most deprived) to 1 (least deprived). SII is the
fitted value at x = 1 minus the fitted value at x = 0 (the slope), times an optional multiplier;
RII is the fitted value at x = 1 over that at x = 0, (intercept + slope) / intercept, inverted
when the multiplier is negative. A rate that is higher among the more deprived therefore has a
negative SII and an RII below 1 (multiplier 1), as in PHE's published tables.
The fit is weighted least squares with the quantiles' populations as weights (PHE's square-root
transformed regression is the same fit); with standard errors of the quantile rates the intervals
come from the sandwich variance of that fit, where PHE simulates them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from alerts.inequality.confidence import z_value


@dataclass(frozen=True)
class SlopeIndex:
    sii: float
    rii: float | None
    intercept: float
    sii_lower: float | None = None
    sii_upper: float | None = None
    rii_lower: float | None = None
    rii_upper: float | None = None


def sii(
    values: Sequence[float],
    populations: Sequence[float],
    *,
    standard_errors: Sequence[float] | None = None,
    most_deprived_first: bool = True,
    multiplier: float = 1.0,
    confidence: float = 0.95,
) -> SlopeIndex:
    """SII and RII of rates by deprivation quantile (quantile 1, the most deprived, first; with
    `most_deprived_first=False` the values run from the least deprived)."""
    if multiplier == 0:
        raise ValueError("the multiplier of the SII cannot be 0")
    rate = np.asarray(values, dtype=np.float64)
    population = np.asarray(populations, dtype=np.float64)
    if rate.shape != population.shape or len(rate) < 2:
        raise ValueError("sii needs a rate and a population for at least two quantiles")
    if np.any(population <= 0) or np.any(np.isnan(rate)):
        raise ValueError("every quantile needs a positive population and a rate")
    order = slice(None) if most_deprived_first else slice(None, None, -1)
    rate, population = rate[order], population[order]
    share = population / population.sum()
    x = np.cumsum(share) - share / 2
    design = np.column_stack([np.ones_like(x), x])
    weighted = design.T * population
    bread = np.linalg.inv(weighted @ design)
    intercept, slope = bread @ weighted @ rate
    rii = (intercept + slope) / intercept if intercept != 0 else None
    if standard_errors is None:
        return _scaled(SlopeIndex(float(slope), _float(rii), float(intercept)), multiplier)
    variance = np.asarray(standard_errors, dtype=np.float64)[order] ** 2
    covariance = bread @ (weighted * variance) @ weighted.T @ bread
    z = z_value(confidence)
    slope_se = float(np.sqrt(covariance[1, 1]))
    result = SlopeIndex(
        float(slope),
        _float(rii),
        float(intercept),
        float(slope - z * slope_se),
        float(slope + z * slope_se),
    )
    if rii is None:
        return _scaled(result, multiplier)
    # Delta method on log RII = log(a + b) − log(a).
    gradient = np.array([1 / (intercept + slope) - 1 / intercept, 1 / (intercept + slope)])
    log_variance = float(gradient @ covariance @ gradient)
    if rii <= 0 or not log_variance >= 0:  # also catches NaN
        return _scaled(result, multiplier)
    log_se = float(np.sqrt(log_variance))
    unscaled = SlopeIndex(
        result.sii,
        result.rii,
        result.intercept,
        result.sii_lower,
        result.sii_upper,
        float(rii * np.exp(-z * log_se)),
        float(rii * np.exp(z * log_se)),
    )
    return _scaled(unscaled, multiplier)


def _scaled(index: SlopeIndex, multiplier: float) -> SlopeIndex:
    """SII times the multiplier; a negative one reverses the polarity, so RII is inverted."""
    if multiplier == 1:
        return index
    sii_limits = [_times(index.sii_lower, multiplier), _times(index.sii_upper, multiplier)]
    rii_limits = [index.rii_lower, index.rii_upper]
    rii = index.rii
    if multiplier < 0:
        sii_limits.reverse()
        rii = _inverse(rii)
        rii_limits = [_inverse(index.rii_upper), _inverse(index.rii_lower)]
    return SlopeIndex(index.sii * multiplier, rii, index.intercept, *sii_limits, *rii_limits)


def _times(value: float | None, multiplier: float) -> float | None:
    return None if value is None else value * multiplier


def _inverse(value: float | None) -> float | None:
    return None if value is None or value == 0 else 1 / value


def _float(value: float | None) -> float | None:
    return None if value is None else float(value)
