"""Row-level figures of the counts: the rate and its Wilson interval in the indicator's unit,
completeness and its gate, small-number suppression, and the comparison with the reference
group of the same stratification and month (risk ratio, difference, traffic light). Pure and
vectorised over every row of a run."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from alerts.inequality.comparisons import risk_ratio_bounds
from alerts.inequality.confidence import wilson_bounds
from alerts.inequality.disclosure import MINIMUM_DENOMINATOR, SUPPRESSED_UP_TO
from service.indicators.catalogue import Catalogue

FloatArray = npt.NDArray[np.float64]


def rates(counts: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Row-level figures: rate and Wilson interval in the indicator's unit, completeness and its
    gate, small-number suppression, and the comparison with the same month's reference group."""
    frame = counts.copy()
    per = (
        frame["indicator_id"].map({i: d.per for i, d in catalogue.indicators.items()}).astype(float)
    )
    numerator = frame["numerator"].to_numpy(dtype=np.float64)
    denominator = frame["denominator"].to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["rate"] = np.where(denominator > 0, numerator / denominator, np.nan) * per
        frame["completeness"] = frame["complete"] / frame["population"]
    lower, upper = wilson_bounds(numerator, denominator)
    frame["ci_lower"], frame["ci_upper"] = lower * per, upper * per
    frame["dq_pass"] = frame["completeness"] >= catalogue.completeness_threshold
    frame["suppressed"] = suppressed(frame["numerator"], frame["denominator"])
    return compare_with_reference(frame, catalogue)


def suppressed(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """A rate not shown: its numerator is 1–7, or its denominator is under 10."""
    return numerator.between(1, SUPPRESSED_UP_TO) | (denominator < MINIMUM_DENOMINATOR)


def compare_with_reference(frame: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Risk ratio against the reference stratum of the same stratification and rows, with the
    absolute difference and the traffic light."""
    references = {s.id: s.reference for s in catalogue.stratifications.values() if s.reference}
    keys = [c for c in frame.columns if c in ("indicator_id", "period", "stratification")]
    is_reference = frame["stratum"].to_numpy() == frame["stratification"].map(references).to_numpy()
    reference = frame.loc[
        is_reference, [*keys, "numerator", "denominator", "rate", "dq_pass", "suppressed"]
    ].rename(
        columns={
            "numerator": "ref_numerator",
            "denominator": "ref_denominator",
            "rate": "ref_rate",
            "dq_pass": "ref_dq_pass",
            "suppressed": "ref_suppressed",
        }
    )
    frame = frame.merge(reference, on=keys, how="left")
    ratio, lower, upper = risk_ratio_bounds(
        frame["numerator"],
        frame["denominator"],
        frame["ref_numerator"].fillna(0),
        frame["ref_denominator"].fillna(0),
    )
    frame["is_reference"] = (
        frame["stratum"].to_numpy() == frame["stratification"].map(references).to_numpy()
    )
    frame["ratio"] = np.where(frame["is_reference"], np.nan, ratio)
    frame["ratio_lower"], frame["ratio_upper"] = lower, upper
    frame["difference"] = np.where(frame["is_reference"], np.nan, frame["rate"] - frame["ref_rate"])
    better = frame["indicator_id"].map({i: d.better for i, d in catalogue.indicators.items()})
    better = better.astype(object)
    reliable = (
        frame["dq_pass"]
        & frame["ref_dq_pass"].fillna(False).astype(bool)
        & ~frame["suppressed"]
        & ~frame["ref_suppressed"].fillna(True).astype(bool)
    )
    frame["rag"] = traffic_lights(frame["ratio"], lower, upper, better, reliable)
    return frame.drop(columns=["ref_dq_pass", "ref_suppressed"])


def traffic_lights(
    ratio: pd.Series, lower: FloatArray, upper: FloatArray, better: pd.Series, reliable: pd.Series
) -> npt.NDArray[np.object_]:
    """`alerts.inequality.traffic_light` over arrays; None where there is no ratio or no
    direction (a neutral indicator has no worse side)."""
    value = ratio.to_numpy(dtype=np.float64)
    lower_is_better = (better == "lower").to_numpy()
    higher_is_better = (better == "higher").to_numpy()
    with np.errstate(invalid="ignore"):
        worse = (lower_is_better & (value > 1)) | (higher_is_better & (value < 1))
        significant = (lower_is_better & (lower > 1)) | (higher_is_better & (upper < 1))
    light = np.where(worse, np.where(significant & reliable.to_numpy(), "red", "amber"), "green")
    undefined = np.isnan(value) | ~(lower_is_better | higher_is_better)
    lights: npt.NDArray[np.object_] = light.astype(object)
    lights[undefined] = None
    return lights
