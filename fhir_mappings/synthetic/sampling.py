"""Vectorised draws the generator is built from (one row per person, no Python loops)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def categorical_index(rng: np.random.Generator, probabilities: FloatArray) -> npt.NDArray[np.int64]:
    """One column index per row of `probabilities` (n × k, rows need not sum to 1)."""
    cumulative = np.cumsum(probabilities, axis=1)
    cumulative /= cumulative[:, -1:]
    draws = rng.random(len(probabilities))[:, None]
    return np.minimum((draws > cumulative).sum(axis=1), probabilities.shape[1] - 1)


def categorical(
    rng: np.random.Generator, probabilities: FloatArray, labels: Sequence[str]
) -> npt.NDArray[np.object_]:
    """One label per row of `probabilities` (n × k, rows need not sum to 1)."""
    return np.asarray(labels, dtype=object)[categorical_index(rng, probabilities)]


def from_shares(
    rng: np.random.Generator, shares: Mapping[str, float], size: int
) -> npt.NDArray[np.object_]:
    """`size` labels drawn with the same shares for every row."""
    labels = list(shares)
    weights = np.array([shares[label] for label in labels], dtype=float)
    return np.asarray(labels, dtype=object)[
        rng.choice(len(labels), size, p=weights / weights.sum())
    ]


def chance(
    rng: np.random.Generator, probability: FloatArray | float, size: int
) -> npt.NDArray[np.bool_]:
    """True with the given probability (clipped to [0, 1]), per row."""
    return rng.random(size) < np.clip(probability, 0.0, 1.0)


def banded(bands: Sequence[tuple[int, float]], values: npt.NDArray[np.int64]) -> FloatArray:
    """Look up a probability by band: `bands` is ((below_this, p), …) in rising order."""
    result = np.full(len(values), bands[-1][1], dtype=float)
    for upper, probability in reversed(bands):
        result = np.where(values < upper, probability, result)
    return result
