"""p- and u-charts (and Laney's p′ and u′) with the qicharts2 formulas, for strata whose
denominators change month to month: 3-sigma limits around the pooled rate.

Laney's adjustment widens the limits by the spread of the standardised values between
consecutive months, for large denominators where between-month variation dwarfs sampling error.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import binom

from alerts.spc.rules import BoolArray, FloatArray

SIGMA_LIMIT = 3.0
MOVING_RANGE_TO_SIGMA = 1.128  # d2 for moving ranges of two
THREE_SIGMA_TAIL = 0.00134990  # one-sided normal tail beyond 3 sigma
# Below about 5 expected events (or non-events) a month the normal approximation behind 3-sigma
# limits fails: a single event in a small stratum lands beyond them far more often than 1 in 740.
NORMAL_APPROXIMATION_MINIMUM = 5.0


def _laney_factors(values: FloatArray, centre: FloatArray, sigma: FloatArray) -> FloatArray:
    """Per row: mean |Δz| between consecutive months with a z-score, over 1.128 (1 when a row
    has fewer than two)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (values - centre[:, None]) / sigma
    finite = np.isfinite(z)
    order = np.argsort(~finite, axis=1, kind="stable")
    packed = np.where(
        np.take_along_axis(finite, order, axis=1), np.take_along_axis(z, order, axis=1), np.nan
    )
    steps = np.abs(np.diff(packed, axis=1))
    counts = np.count_nonzero(~np.isnan(steps), axis=1)
    totals = np.nansum(steps, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        factors = np.where(counts > 0, totals / counts / MOVING_RANGE_TO_SIGMA, 1.0)
    return factors


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


def _clipped(
    centre: FloatArray, sigma: FloatArray, upper_bound: float
) -> tuple[FloatArray, FloatArray]:
    lower = np.clip(centre - SIGMA_LIMIT * sigma, 0.0, upper_bound)
    upper = np.clip(centre + SIGMA_LIMIT * sigma, 0.0, upper_bound)
    return lower, upper


def _pooled(x: FloatArray, n: FloatArray) -> FloatArray:
    """Σx / Σn per row over the months with a denominator (NaN for a row without any)."""
    counted = n > 0
    total = np.where(counted, n, 0.0).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, np.where(counted, x, 0.0).sum(axis=1) / total, np.nan)


def proportion_limits_batch(
    numerators: FloatArray, denominators: FloatArray, *, laney: bool = False
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """p-chart (or Laney p′) of many series at once, one per row: (values, centre per row,
    lcl, ucl). A month with no denominator has no value and no limits."""
    x = np.atleast_2d(np.asarray(numerators, dtype=np.float64))
    n = np.atleast_2d(np.asarray(denominators, dtype=np.float64))
    if np.any(x > n):
        raise ValueError("a numerator is larger than its denominator")
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.where(n > 0, x / n, np.nan)
        centre = _pooled(x, n)
        sigma = np.where(n > 0, np.sqrt(centre[:, None] * (1 - centre[:, None]) / n), np.nan)
    if laney:
        sigma = sigma * _laney_factors(values, centre, sigma)[:, None]
    lower, upper = _clipped(centre[:, None], sigma, 1.0)
    return values, centre, lower, upper


def proportion_limits(
    numerators: FloatArray, denominators: FloatArray, *, laney: bool = False
) -> tuple[FloatArray, float, FloatArray, FloatArray]:
    """(values, centre, lcl, ucl) of one p-chart: what `p_chart` tabulates."""
    values, centre, lower, upper = proportion_limits_batch(
        np.asarray(numerators, dtype=np.float64)[None, :],
        np.asarray(denominators, dtype=np.float64)[None, :],
        laney=laney,
    )
    return values[0], float(centre[0]), lower[0], upper[0]


def binomial_limits(
    denominators: FloatArray, centre: FloatArray | float, tail: float = THREE_SIGMA_TAIL
) -> tuple[FloatArray, FloatArray]:
    """Exact probability limits for a proportion: a month's value is beyond them only when a
    count that far out has at most `tail` probability under Binomial(n, centre), as 3-sigma
    limits promise and cannot keep for rare events."""
    n = np.asarray(denominators, dtype=np.float64)
    p = np.asarray(centre, dtype=np.float64)
    if n.ndim == 2 and p.ndim == 1:
        p = p[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = np.where(n > 0, binom.ppf(tail, n, p) / n, np.nan)
        upper = np.where(n > 0, binom.isf(tail, n, p) / n, np.nan)
    return lower, upper


def needs_exact_limits(denominators: FloatArray, centre: FloatArray | float) -> BoolArray:
    """Per row: whether a typical month (the median denominator) expects too few events (or
    non-events) for normal limits."""
    n = np.atleast_2d(np.asarray(denominators, dtype=np.float64))
    rows_centre = np.atleast_1d(np.asarray(centre, dtype=np.float64))
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a row without any month
        typical = np.nanmedian(np.where(n > 0, n, np.nan), axis=1)
    expected = np.minimum(typical * rows_centre, typical * (1 - rows_centre))
    return np.asarray(np.nan_to_num(expected, nan=np.inf) < NORMAL_APPROXIMATION_MINIMUM)


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
    centre = _pooled(x[None, :], n[None, :])
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma = np.where(n > 0, np.sqrt(centre[0] / n), np.nan)[None, :]
    if laney:
        sigma = sigma * _laney_factors(values[None, :], centre, sigma)[:, None]
    lower, upper = _clipped(centre[:, None], sigma, np.inf)
    return pd.DataFrame(
        {
            "value": values * multiplier,
            "centre": centre[0] * multiplier,
            "lcl": lower[0] * multiplier,
            "ucl": upper[0] * multiplier,
            "sigma": sigma[0] * multiplier,
        }
    )
