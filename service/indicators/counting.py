"""Counting: numerator, denominator, population and completeness of every indicator, for every
month and every stratum, from frames of the analytic projection. Pure: frames in, a frame out.

Each unit's rows are flagged once per indicator (in the population, with the gated fields
recorded, in the denominator, in the numerator), then summed by month for each stratification
in one group-by, so the cost grows with rows × stratifications, not with indicators.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from service.indicators.catalogue import Catalogue, Indicator, Stratification, Unit
from service.indicators.conditions import mask

NOT_RECORDED = "Not recorded"
EVERYONE = "all"
COUNT_COLUMNS = ("population", "complete", "denominator", "numerator")
KEY_COLUMNS = ("indicator_id", "period", "stratification", "stratum")


@dataclass(frozen=True)
class Flags:
    population: np.ndarray
    complete: np.ndarray
    denominator: np.ndarray
    numerator: np.ndarray


def flags(frame: pd.DataFrame, indicator: Indicator) -> Flags:
    population = mask(frame, indicator.population)
    complete = population.copy()
    for field in indicator.gate_fields:
        complete &= frame[field].notna().to_numpy()
    denominator = complete & mask(frame, indicator.denominator)
    numerator = denominator & mask(frame, indicator.numerator)
    return Flags(population, complete, denominator, numerator)


def unit_rows(frames: dict[str, pd.DataFrame], unit: Unit) -> pd.DataFrame:
    """The frame an indicator of this unit counts: one row per delivery for mothers (the first
    baby's row), one per baby or contact otherwise."""
    frame = frames[unit.table]
    if unit.one_row_per is None:
        return frame
    keyed = frame[frame[unit.one_row_per].notna()]
    first = keyed.sort_values("birth_order", kind="stable").drop_duplicates(unit.one_row_per)
    return pd.concat([first, frame[frame[unit.one_row_per].isna()]], ignore_index=True)


def count(frames: dict[str, pd.DataFrame], catalogue: Catalogue) -> pd.DataFrame:
    """Long frame: indicator_id, period, stratification, stratum and the four counts, for every
    month with a population (months after an indicator's maturity window are left out)."""
    parts: list[pd.DataFrame] = []
    for unit in catalogue.units.values():
        indicators = [i for i in catalogue.indicators.values() if i.unit.id == unit.id]
        if not indicators or unit.table not in frames:
            continue
        rows = unit_rows(frames, unit)
        if rows.empty:
            continue
        parts.extend(_count_unit(rows, unit, indicators, catalogue))
    if not parts:
        return pd.DataFrame(columns=[*KEY_COLUMNS, *COUNT_COLUMNS])
    counts = pd.concat(parts, ignore_index=True)
    return counts[counts["population"] > 0].reset_index(drop=True)


def _count_unit(
    rows: pd.DataFrame, unit: Unit, indicators: list[Indicator], catalogue: Catalogue
) -> list[pd.DataFrame]:
    columns: dict[str, np.ndarray] = {}
    for indicator in indicators:
        flagged = flags(rows, indicator)
        for name in COUNT_COLUMNS:
            columns[f"{indicator.id}\t{name}"] = getattr(flagged, name).astype(np.int32)
    counted = pd.DataFrame(columns)
    counted["period"] = rows[unit.period].to_numpy()
    latest = counted["period"].max()
    available = set(rows.columns)
    parts = []
    overall: pd.DataFrame | None = None
    cuts = {s.id: s for i in indicators for s in catalogue.stratifications_of(i, available)}
    for stratification in sorted(cuts.values(), key=lambda s: s.column is not None):
        wide = _sum_by(counted, rows, stratification)
        long = _long(wide, stratification)
        if stratification.column is None:
            overall = long
        elif stratification.splits == "numerator" and overall is not None:
            long = _numerator_split(long, overall)
        wanted = {
            i.id for i in indicators if stratification in catalogue.stratifications_of(i, available)
        }
        parts.append(long[long["indicator_id"].isin(wanted)])
    result = pd.concat(parts, ignore_index=True)
    for indicator in indicators:
        if indicator.matures_after_months:
            cutoff = latest - pd.DateOffset(months=indicator.matures_after_months)
            result = result[(result["indicator_id"] != indicator.id) | (result["period"] <= cutoff)]
    return [result]


def _sum_by(
    counted: pd.DataFrame, rows: pd.DataFrame, stratification: Stratification
) -> pd.DataFrame:
    if stratification.column is None:
        key = pd.Series(EVERYONE, index=counted.index)
    else:
        key = (
            rows[stratification.column]
            .astype(object)
            .where(rows[stratification.column].notna(), NOT_RECORDED)
            .astype(str)
            .reset_index(drop=True)
        )
    keyed = counted.assign(stratum=key.to_numpy())
    return keyed.groupby(["period", "stratum"], sort=True).sum()


def _long(wide: pd.DataFrame, stratification: Stratification) -> pd.DataFrame:
    wide.columns = pd.MultiIndex.from_tuples(
        [tuple(c.split("\t")) for c in wide.columns], names=["indicator_id", "count"]
    )
    long = wide.stack("indicator_id", future_stack=True).reset_index()
    long.columns.name = None
    long["stratification"] = stratification.id
    return long[[*KEY_COLUMNS, *COUNT_COLUMNS]]


def _numerator_split(long: pd.DataFrame, overall: pd.DataFrame) -> pd.DataFrame:
    everyone = overall.set_index(["indicator_id", "period"])[
        ["population", "complete", "denominator"]
    ]
    joined = long.drop(columns=["population", "complete", "denominator"]).join(
        everyone, on=["indicator_id", "period"]
    )
    return joined[joined["stratum"] != NOT_RECORDED][[*KEY_COLUMNS, *COUNT_COLUMNS]]
