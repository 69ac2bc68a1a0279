"""The two MDC summary icons of a chart: variation (what the latest point shows) and assurance
(whether the process will reliably meet a target)."""

from __future__ import annotations

from typing import Literal

import pandas as pd

from alerts.spc.rules import Improvement

Assurance = Literal["consistent_pass", "consistent_fail", "inconsistent"]


def variation_icon(frame: pd.DataFrame) -> str:
    """The point type of the latest point with a value ("common_cause" for an empty chart)."""
    present = frame[frame["value"].notna()]
    return str(present["point_type"].iloc[-1]) if len(present) else "common_cause"


def assurance(
    frame: pd.DataFrame, target: float | None, improvement: Improvement
) -> Assurance | None:
    """Where the target sits against the latest limits; None without a target or a direction."""
    if target is None or improvement == "neutral" or frame.empty:
        return None
    latest = frame.iloc[-1]
    if target > latest["upl"]:
        return "consistent_fail" if improvement == "increase" else "consistent_pass"
    if target < latest["lpl"]:
        return "consistent_pass" if improvement == "increase" else "consistent_fail"
    return "inconsistent"
