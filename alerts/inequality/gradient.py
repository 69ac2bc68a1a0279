"""Slope and Relative Index of Inequality across deprivation quantiles.

Each quantile sits at the midpoint of its cumulative population share, ordered from the least
deprived (0) to the most deprived (1), so a positive SII means the rate is higher among the more
deprived, and RII is the fitted rate at the most deprived end over that at the least deprived end.
The fit is weighted least squares with the quantiles' populations as weights; with standard
errors of the quantile rates the intervals come from the sandwich variance of that fit.
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
    confidence: float = 0.95,
) -> SlopeIndex:
    """SII and RII of rates by deprivation quantile (quantile 1, the most deprived, first)."""
    rate = np.asarray(values, dtype=np.float64)
    population = np.asarray(populations, dtype=np.float64)
    if rate.shape != population.shape or len(rate) < 2:
        raise ValueError("sii needs a rate and a population for at least two quantiles")
    if np.any(population <= 0) or np.any(np.isnan(rate)):
        raise ValueError("every quantile needs a positive population and a rate")
    order = slice(None, None, -1) if most_deprived_first else slice(None)
    rate, population = rate[order], population[order]
    share = population / population.sum()
    x = np.cumsum(share) - share / 2
    design = np.column_stack([np.ones_like(x), x])
    weighted = design.T * population
    bread = np.linalg.inv(weighted @ design)
    intercept, slope = bread @ weighted @ rate
    rii = (intercept + slope) / intercept if intercept != 0 else None
    if standard_errors is None:
        return SlopeIndex(float(slope), _float(rii), float(intercept))
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
        return result
    # Delta method on log RII = log(a + b) − log(a).
    gradient = np.array([1 / (intercept + slope) - 1 / intercept, 1 / (intercept + slope)])
    log_variance = float(gradient @ covariance @ gradient)
    if rii <= 0 or not log_variance >= 0:  # also catches NaN
        return result
    log_se = float(np.sqrt(log_variance))
    return SlopeIndex(
        result.sii,
        result.rii,
        result.intercept,
        result.sii_lower,
        result.sii_upper,
        float(rii * np.exp(-z * log_se)),
        float(rii * np.exp(z * log_se)),
    )


def _float(value: float | None) -> float | None:
    return None if value is None else float(value)
