"""Multiplicity control for a family of group comparisons: Benjamini and Hochberg's false
discovery rate procedure, and the two-sided p-value of a ratio from its log-scale interval.

Comparing every group of a stratification with its reference is a family of tests; read one
by one at 5% each, a stratification of 17 ethnic categories flags one group in most months by
chance alone. Benjamini and Hochberg (1995, "Controlling the false discovery rate", JRSS B
57:289–300) keep the expected share of false discoveries among those flagged at most `q`.
Pure: numbers in, numbers out."""

from __future__ import annotations

import math
from collections.abc import Sequence

from scipy.stats import norm

from alerts.inequality.confidence import z_value


def benjamini_hochberg(p_values: Sequence[float | None], q: float) -> list[bool]:
    """Which of the family are discoveries at false discovery rate `q`: with the m p-values
    sorted, p(1) ≤ … ≤ p(m), the k smallest for the largest k with p(k) ≤ k·q/m. A comparison
    with no p-value (no ratio to test) is in no one's family and never a discovery."""
    if not 0 < q < 1:
        raise ValueError(f"q must be between 0 and 1, not {q}")
    tested = sorted((p, i) for i, p in enumerate(p_values) if p is not None)
    m = len(tested)
    largest = max((k for k, (p, _) in enumerate(tested, start=1) if p <= k * q / m), default=0)
    found = {i for _, i in tested[:largest]}
    return [i in found for i in range(len(p_values))]


def adjusted_p_values(p_values: Sequence[float | None]) -> list[float | None]:
    """Benjamini–Hochberg adjusted p-values: for p(k), the least m·p(j)/j over j ≥ k, at most
    1. A comparison is a discovery at `q` exactly when its adjusted p-value is at most `q`."""
    tested = sorted((p, i) for i, p in enumerate(p_values) if p is not None)
    m = len(tested)
    adjusted: list[float | None] = [None] * len(p_values)
    running = 1.0
    for k in range(m, 0, -1):
        p, i = tested[k - 1]
        running = min(running, m * p / k)
        adjusted[i] = running
    return adjusted


def ratio_p_value(
    ratio: float | None, lower: float | None, upper: float | None, confidence: float = 0.95
) -> float | None:
    """The two-sided p-value that the ratio is 1, from its log-scale interval: the standard
    error is (ln upper − ln lower) / 2z, and z = ln ratio / SE. None without an interval."""
    if not ratio or not lower or not upper or ratio <= 0 or lower <= 0 or upper <= lower:
        return None
    standard_error = (math.log(upper) - math.log(lower)) / (2 * z_value(confidence))
    return float(2 * norm.sf(abs(math.log(ratio)) / standard_error))
