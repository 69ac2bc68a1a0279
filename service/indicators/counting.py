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
from scipy import sparse

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
    # One matrix of 0/1 flags: a column per indicator and count, a row per unit row.
    flagged = np.empty((len(rows), len(indicators) * len(COUNT_COLUMNS)), dtype=np.float64)
    for i, indicator in enumerate(indicators):
        found = flags(rows, indicator)
        for j, name in enumerate(COUNT_COLUMNS):
            flagged[:, i * len(COUNT_COLUMNS) + j] = getattr(found, name)
    period_codes, periods = pd.factorize(rows[unit.period], sort=True)
    available = set(rows.columns)
    parts = []
    overall: pd.DataFrame | None = None
    cuts = {s.id: s for i in indicators for s in catalogue.stratifications_of(i, available)}
    for stratification in sorted(cuts.values(), key=lambda s: s.column is not None):
        long = _sums(flagged, period_codes, periods, _strata(rows, stratification), indicators)
        long["stratification"] = stratification.id
        if stratification.column is None:
            overall = long
        elif stratification.splits == "numerator" and overall is not None:
            long = _numerator_split(long, overall)
        wanted = {
            i.id for i in indicators if stratification in catalogue.stratifications_of(i, available)
        }
        parts.append(long[long["indicator_id"].isin(wanted)][[*KEY_COLUMNS, *COUNT_COLUMNS]])
    result = pd.concat(parts, ignore_index=True)
    latest = periods.max()
    for indicator in indicators:
        if indicator.matures_after_months:
            cutoff = latest - pd.DateOffset(months=indicator.matures_after_months)
            result = result[(result["indicator_id"] != indicator.id) | (result["period"] <= cutoff)]
    return [result]


def _strata(rows: pd.DataFrame, stratification: Stratification) -> tuple[np.ndarray, list[str]]:
    """Each row's stratum as a code, and the strata's names (missing: "Not recorded")."""
    if stratification.column is None:
        return np.zeros(len(rows), dtype=np.int64), [EVERYONE]
    codes, names = pd.factorize(rows[stratification.column], sort=True)
    labels = [str(name) for name in names]
    if (codes < 0).any():
        codes = np.where(codes < 0, len(labels), codes)
        labels.append(NOT_RECORDED)
    return codes, labels


def _sums(
    flagged: np.ndarray,
    period_codes: np.ndarray,
    periods: pd.Index,
    strata: tuple[np.ndarray, list[str]],
    indicators: list[Indicator],
) -> pd.DataFrame:
    """The flags summed by period and stratum in one sparse product, as long rows."""
    stratum_codes, labels = strata
    groups, row_group = np.unique(
        period_codes.astype(np.int64) * len(labels) + stratum_codes, return_inverse=True
    )
    membership = sparse.csr_matrix(
        (np.ones(len(row_group)), (row_group, np.arange(len(row_group)))),
        shape=(len(groups), len(row_group)),
    )
    sums = np.rint(membership @ flagged).astype(np.int64)
    sums = sums.reshape(len(groups), len(indicators), len(COUNT_COLUMNS))
    frame = pd.DataFrame(
        {
            "indicator_id": np.tile([i.id for i in indicators], len(groups)),
            "period": np.repeat(np.asarray(periods)[groups // len(labels)], len(indicators)),
            "stratum": np.repeat(
                np.asarray(labels, dtype=object)[groups % len(labels)], len(indicators)
            ),
        }
    )
    for j, name in enumerate(COUNT_COLUMNS):
        frame[name] = sums[:, :, j].reshape(-1)
    return frame


def _numerator_split(long: pd.DataFrame, overall: pd.DataFrame) -> pd.DataFrame:
    everyone = overall.set_index(["indicator_id", "period"])[
        ["population", "complete", "denominator"]
    ]
    joined = long.drop(columns=["population", "complete", "denominator"]).join(
        everyone, on=["indicator_id", "period"]
    )
    return joined[joined["stratum"] != NOT_RECORDED][[*KEY_COLUMNS, *COUNT_COLUMNS]]
