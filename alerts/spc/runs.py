"""Anhøj's runs rules for run charts (as qicharts2 applies them): an unusually long run on one
side of the centre line, or unusually few crossings of it, signals non-random variation."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypedDict

import numpy as np
from scipy.stats import binom

from alerts.spc.rules import FloatArray


class AnhoejResult(TypedDict):
    useful_points: int
    longest_run: int
    longest_run_max: int
    crossings: int
    crossings_min: int
    runs_signal: bool
    crossings_signal: bool
    signal: bool


def anhoej(values: Sequence[float] | FloatArray, centre: float | Sequence[float]) -> AnhoejResult:
    """Points on the centre line (and missing points) are not useful and are dropped; the run
    limit is round(log2 n) + 3 and the crossings limit the 5th percentile of Binomial(n − 1,
    ½); both signals are strict."""
    y = np.asarray(values, dtype=np.float64)
    sides = np.sign(y - np.broadcast_to(np.asarray(centre, dtype=np.float64), y.shape))
    sides = sides[~np.isnan(sides) & (sides != 0)]
    useful = len(sides)
    if useful == 0:
        return AnhoejResult(
            useful_points=0, longest_run=0, longest_run_max=0, crossings=0, crossings_min=0,
            runs_signal=False, crossings_signal=False, signal=False,
        )  # fmt: skip
    changes = np.flatnonzero(sides[1:] != sides[:-1])
    boundaries = np.concatenate([[-1], changes, [useful - 1]])
    longest_run = int(np.max(np.diff(boundaries)))
    crossings = len(changes)
    longest_run_max = round(math.log2(useful)) + 3
    crossings_min = int(binom.ppf(0.05, useful - 1, 0.5))
    runs_signal = longest_run > longest_run_max
    crossings_signal = crossings < crossings_min
    return AnhoejResult(
        useful_points=useful,
        longest_run=longest_run,
        longest_run_max=longest_run_max,
        crossings=crossings,
        crossings_min=crossings_min,
        runs_signal=runs_signal,
        crossings_signal=crossings_signal,
        signal=runs_signal or crossings_signal,
    )
