"""Confidence intervals for a proportion (Wilson score) and for a count (Byar's approximation,
or the exact chi-square interval for small counts), as PHEindicatormethods computes them.
A lower limit below zero is returned as None."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from scipy.stats import chi2, norm

Interval = tuple[float | None, float | None]
BYAR_FROM = 10  # the public-health convention: exact below 10 events, Byar from 10


def z_value(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence}")
    return float(norm.ppf(1 - (1 - confidence) / 2))


def _not_below_zero(value: float) -> float | None:
    return None if value < 0 else value


def wilson(x: float, n: float, confidence: float = 0.95) -> Interval:
    """Wilson score interval for x events out of n: (2x + z² ∓ z·sqrt(z² + 4x(1 − x/n))) /
    (2(n + z²))."""
    if n <= 0:
        return None, None
    if not 0 <= x <= n:
        raise ValueError(f"a proportion needs 0 ≤ x ≤ n (x={x}, n={n})")
    lower, upper = wilson_bounds(np.array([x]), np.array([n]), confidence)
    return _not_below_zero(float(lower[0])), float(upper[0])


def wilson_bounds(
    x: npt.ArrayLike, n: npt.ArrayLike, confidence: float = 0.95
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """`wilson` over arrays (NaN where n is 0), for the many rates of an indicator run."""
    events = np.asarray(x, dtype=np.float64)
    total = np.asarray(n, dtype=np.float64)
    z = z_value(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = z * np.sqrt(z * z + 4 * events * (1 - events / total))
        denominator = 2 * (total + z * z)
        lower = (2 * events + z * z - spread) / denominator
        upper = (2 * events + z * z + spread) / denominator
    empty = total <= 0
    return np.where(empty, np.nan, lower), np.where(empty, np.nan, upper)


def byar(x: float, confidence: float = 0.95) -> Interval:
    """Byar's approximation to the Poisson interval of a count x."""
    if x < 0:
        raise ValueError(f"a count cannot be negative ({x})")
    z = z_value(confidence)
    lower = x * (1 - 1 / (9 * x) - z / (3 * math.sqrt(x))) ** 3 if x > 0 else -1.0
    upper = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * math.sqrt(x + 1))) ** 3
    return _not_below_zero(lower), upper


def exact_poisson(x: float, confidence: float = 0.95) -> Interval:
    """The exact (chi-square) Poisson interval of a count x."""
    if x < 0:
        raise ValueError(f"a count cannot be negative ({x})")
    alpha = 1 - confidence
    lower = float(chi2.ppf(alpha / 2, 2 * x)) / 2 if x > 0 else 0.0
    return lower, float(chi2.ppf(1 - alpha / 2, 2 * x + 2)) / 2


def count_ci(x: float, confidence: float = 0.95) -> Interval:
    """Exact below 10 events, Byar from 10."""
    return exact_poisson(x, confidence) if x < BYAR_FROM else byar(x, confidence)
