"""Funnel plot limits for proportions, Spiegelhalter's method as FunnelPlotR implements it: an
arcsine-square-root scale, z-scores winsorised at the 10th and 90th percentiles, and an additive
random-effects term τ² when the groups vary more than chance allows (φ > 1)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

Z95 = 1.959964
Z998 = 3.090232


def _limits(theta_scale: float, z: float, n: np.ndarray, tau2: float) -> tuple[np.ndarray, ...]:
    spread = z * np.sqrt(1 / (4 * n) + tau2)
    lower = np.clip(theta_scale - spread, 0.0, np.pi / 2)
    upper = np.clip(theta_scale + spread, 0.0, np.pi / 2)
    return np.sin(lower) ** 2, np.sin(upper) ** 2


def funnel_limits(
    numerators: Sequence[float] | np.ndarray, denominators: Sequence[float] | np.ndarray,
    *, overdispersion: bool = True, trim: float = 0.1,
) -> dict[str, Any]:  # fmt: skip
    """`funnel_proportions` as arrays (with target, phi and tau2), for many calls in a row."""
    x = np.asarray(numerators, dtype=np.float64)
    n = np.asarray(denominators, dtype=np.float64)
    if x.shape != n.shape or len(n) == 0:
        raise ValueError("funnel_proportions needs numerators and denominators of one length")
    if np.any(n <= 0) or np.any(x < 0) or np.any(x > n):
        raise ValueError("every group needs 0 ≤ numerator ≤ denominator and a denominator > 0")
    proportion = x / n
    theta = float(x.sum() / n.sum())
    theta_scale = float(np.arcsin(np.sqrt(theta)))
    s = 1 / (2 * np.sqrt(n))
    z = (np.arcsin(np.sqrt(proportion)) - theta_scale) / s
    low, high = np.percentile(z, [100 * trim, 100 * (1 - trim)])
    phi = float(np.mean(np.clip(z, low, high) ** 2))
    tau2 = 0.0
    count = len(n)
    if overdispersion and phi > 1:
        w = 1 / s**2
        tau2 = max(0.0, (count * phi - (count - 1)) / (w.sum() - (w**2).sum() / w.sum()))
    lcl95, ucl95 = _limits(theta_scale, Z95, n, tau2)
    lcl998, ucl998 = _limits(theta_scale, Z998, n, tau2)
    return {
        "numerator": x,
        "denominator": n,
        "proportion": proportion,
        "z": (np.arcsin(np.sqrt(proportion)) - theta_scale) / np.sqrt(1 / (4 * n) + tau2),
        "lcl95": lcl95,
        "ucl95": ucl95,
        "lcl998": lcl998,
        "ucl998": ucl998,
        "outlier": (proportion < lcl998) | (proportion > ucl998),
        "target": theta,
        "phi": phi,
        "tau2": tau2,
    }


def funnel_curve(
    target: float, tau2: float, denominators: Sequence[float] | np.ndarray
) -> dict[str, np.ndarray]:
    """The 95% and 99.8% limits of `funnel_limits` (its target and τ²) at any denominators:
    the funnel's outline, for drawing."""
    n = np.asarray(denominators, dtype=np.float64)
    theta_scale = float(np.arcsin(np.sqrt(target)))
    lcl95, ucl95 = _limits(theta_scale, Z95, n, tau2)
    lcl998, ucl998 = _limits(theta_scale, Z998, n, tau2)
    return {"denominator": n, "lcl95": lcl95, "ucl95": ucl95, "lcl998": lcl998, "ucl998": ucl998}


def funnel_proportions(
    numerators: Sequence[float],
    denominators: Sequence[float],
    *,
    overdispersion: bool = True,
    trim: float = 0.1,
) -> pd.DataFrame:
    """One row per group: its proportion, 95% and 99.8% limits at its denominator, its z-score
    and whether it lies outside the 99.8% limits (an outlier). The frame's `attrs` hold the
    target θ, φ and τ²."""
    limits = funnel_limits(numerators, denominators, overdispersion=overdispersion, trim=trim)
    summary = {name: limits.pop(name) for name in ("target", "phi", "tau2")}
    frame = pd.DataFrame(limits)
    frame.attrs.update(summary)
    return frame
