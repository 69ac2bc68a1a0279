"""Months as the indicator engine counts them: a month number (year × 12 + month − 1) for
arithmetic, and its YYYY-MM label."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd


def month_number(period: pd.Series | pd.DatetimeIndex) -> npt.NDArray[np.int64]:
    stamps = pd.DatetimeIndex(period)
    return np.asarray(stamps.year * 12 + stamps.month - 1, dtype=np.int64)


def month_label(number: int) -> str:
    return f"{number // 12:04d}-{number % 12 + 1:02d}"
