"""p- and u-charts (and Laney's p′ and u′) with the qicharts2 formulas, for strata whose
denominators change month to month: 3-sigma limits around the pooled rate.

Laney's adjustment widens the limits by the spread of the standardised values between
consecutive months, for large denominators where between-month variation dwarfs sampling error.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import binom

from alerts.spc.rules import FloatArray

SIGMA_LIMIT = 3.0
MOVING_RANGE_TO_SIGMA = 1.128  # d2 for moving ranges of two
THREE_SIGMA_TAIL = 0.00134990  # one-sided normal tail beyond 3 sigma
# Below about 5 expected events (or non-events) a month the normal approximation behind 3-sigma
# limits fails: a single event in a small stratum lands beyond them far more often than 1 in 740.
NORMAL_APPROXIMATION_MINIMUM = 5.0


def _laney_factor(values: FloatArray, centre: float, sigma: FloatArray) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (values - centre) / sigma
    z = z[np.isfinite(z)]
    if len(z) < 2:
        return 1.0
    return float(np.mean(np.abs(np.diff(z))) / MOVING_RANGE_TO_SIGMA)


def _counts(
    numerators: Sequence[float] | FloatArray, denominators: Sequence[float] | FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    x = np.asarray(numerators, dtype=np.float64)
    n = np.asarray(denominators, dtype=np.float64)
    if x.shape != n.shape:
        raise ValueError("numerators and denominators must have the same length")
    if np.any(n < 0) or np.any(x < 0):
        raise ValueError("counts cannot be negative")
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.where(n > 0, x / n, np.nan)
    return x, n, values


def _chart(
    values: FloatArray, centre: float, sigma: FloatArray, *, laney: bool, upper_bound: float
) -> pd.DataFrame:
    lower, upper, sigma = _limits(values, centre, sigma, laney=laney, upper_bound=upper_bound)
    return pd.DataFrame(
        {"value": values, "centre": centre, "lcl": lower, "ucl": upper, "sigma": sigma}
    )


def _limits(
    values: FloatArray, centre: float, sigma: FloatArray, *, laney: bool, upper_bound: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    if laney:
        sigma = sigma * _laney_factor(values, centre, sigma)
    lower = np.clip(centre - SIGMA_LIMIT * sigma, 0.0, upper_bound)
    upper = np.clip(centre + SIGMA_LIMIT * sigma, 0.0, upper_bound)
    return lower, upper, sigma


def proportion_limits(
    numerators: FloatArray, denominators: FloatArray, *, laney: bool = False
) -> tuple[FloatArray, float, FloatArray, FloatArray]:
    """(values, centre, lcl, ucl) of a p-chart as arrays: what `p_chart` tabulates."""
    x, n, values = _counts(numerators, denominators)
    if np.any(x > n):
        raise ValueError("a numerator is larger than its denominator")
    total = n[n > 0].sum()
    centre = float(x[n > 0].sum() / total) if total else float("nan")
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma = np.where(n > 0, np.sqrt(centre * (1 - centre) / n), np.nan)
    lower, upper, _ = _limits(values, centre, sigma, laney=laney, upper_bound=1.0)
    return values, centre, lower, upper


def binomial_limits(
    denominators: FloatArray, centre: float, tail: float = THREE_SIGMA_TAIL
) -> tuple[FloatArray, FloatArray]:
    """Exact probability limits for a proportion: a month's value is beyond them only when a
    count that far out has at most `tail` probability under Binomial(n, centre), as 3-sigma
    limits promise and cannot keep for rare events."""
    n = np.asarray(denominators, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = np.where(n > 0, binom.ppf(tail, n, centre) / n, np.nan)
        upper = np.where(n > 0, binom.isf(tail, n, centre) / n, np.nan)
    return lower, upper


def needs_exact_limits(denominators: FloatArray, centre: float) -> bool:
    """Whether a typical month expects too few events (or non-events) for normal limits."""
    n = np.asarray(denominators, dtype=np.float64)
    n = n[n > 0]
    if len(n) == 0 or np.isnan(centre):
        return False
    typical = float(np.median(n))
    return min(typical * centre, typical * (1 - centre)) < NORMAL_APPROXIMATION_MINIMUM


def p_chart(
    numerators: Sequence[float] | FloatArray,
    denominators: Sequence[float] | FloatArray,
    *,
    laney: bool = False,
) -> pd.DataFrame:
    """Proportions x/n around p̄ = Σx/Σn, limits p̄ ± 3·sqrt(p̄(1−p̄)/n) clipped to [0, 1].
    A month with no denominator has no value and no limits."""
    values, centre, lower, upper = proportion_limits(
        np.asarray(numerators, dtype=np.float64),
        np.asarray(denominators, dtype=np.float64),
        laney=laney,
    )
    return pd.DataFrame({"value": values, "centre": centre, "lcl": lower, "ucl": upper})


def u_chart(
    numerators: Sequence[float] | FloatArray,
    denominators: Sequence[float] | FloatArray,
    *,
    multiplier: float = 1,
    laney: bool = False,
) -> pd.DataFrame:
    """Rates x/n × multiplier around ū = Σx/Σn, limits ū ± 3·sqrt(ū/n), the lower one clipped
    at 0. A month with no denominator has no value and no limits."""
    x, n, values = _counts(numerators, denominators)
    total = n[n > 0].sum()
    centre = float(x[n > 0].sum() / total) if total else float("nan")
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma = np.where(n > 0, np.sqrt(centre / n), np.nan)
    chart = _chart(values, centre, sigma, laney=laney, upper_bound=np.inf)
    for column in ("value", "centre", "lcl", "ucl", "sigma"):
        chart[column] = chart[column] * multiplier
    return chart
