"""What the generator planted, computed from its clean data before any defect: `truth.json`.

The rates here are an independent oracle for the product's own indicator engine: a handful of
catalogue indicators, counted directly on the generator's frames, overall and by the strata the
inequalities were planted in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fhir_mappings.synthetic.births import VAGINAL_MODES
from fhir_mappings.synthetic.events import InjectedEvent

Mask = Callable[[pd.DataFrame], pd.Series]


@dataclass(frozen=True)
class OracleIndicator:
    denominator: Mask
    numerator: Mask  # evaluated within the denominator
    per: int  # 1,000 or 100


def _live(f: pd.DataFrame) -> pd.Series:
    return f["birth_outcome"] == "live_birth"


def _singleton(f: pd.DataFrame) -> pd.Series:
    return f["plurality"] == 1


def _term(f: pd.DataFrame) -> pd.Series:
    return f["gestation_days"].between(259, 315)


def _first_baby(f: pd.DataFrame) -> pd.Series:
    return f["birth_order"] == 1


ORACLE: dict[str, OracleIndicator] = {
    "preterm_birth": OracleIndicator(
        lambda f: _live(f) & _singleton(f) & f["gestation_days"].between(154, 315),
        lambda f: f["gestation_days"] <= 258,
        1000,
    ),
    "low_birth_weight_term": OracleIndicator(
        lambda f: _live(f) & (f["gestation_days"] >= 259), lambda f: f["birth_weight_g"] < 2500, 100
    ),
    "stillbirth": OracleIndicator(
        lambda f: f["gestation_days"] >= 168, lambda f: f["birth_outcome"] != "live_birth", 1000
    ),
    "oasi": OracleIndicator(
        lambda f: _singleton(f) & _term(f) & f["mode_of_birth"].isin(VAGINAL_MODES),
        lambda f: f["perineal_trauma"].str.startswith(("third", "fourth")),
        1000,
    ),
    "smoking_at_delivery": OracleIndicator(
        lambda f: _first_baby(f) & (f["smoking_at_delivery"] != ""),
        lambda f: f["smoking_at_delivery"] == "current",
        100,
    ),
    "breastfeeding_6_8_weeks": OracleIndicator(
        lambda f: f["feeding_6_8_weeks"].isin(
            ["totally_breastfed", "partially_breastfed", "not_breastfed"]
        ),
        lambda f: f["feeding_6_8_weeks"] != "not_breastfed",
        100,
    ),
    "term_nnu_admission": OracleIndicator(
        lambda f: _live(f) & _singleton(f) & _term(f), lambda f: f["nnu_admitted"], 100
    ),
}
STRATA = ("ethnic_group", "imd_quintile")


def rate(frame: pd.DataFrame, indicator: str) -> dict[str, float | int | None]:
    definition = ORACLE[indicator]
    denominator = frame[definition.denominator(frame)]
    numerator = int(definition.numerator(denominator).sum())
    value = numerator / len(denominator) * definition.per if len(denominator) else None
    return {
        "numerator": numerator,
        "denominator": len(denominator),
        "rate": None if value is None else round(value, 3),
        "per": definition.per,
    }


def rates(births: pd.DataFrame) -> dict[str, object]:
    result: dict[str, object] = {}
    for indicator in ORACLE:
        entry: dict[str, object] = {"overall": rate(births, indicator)}
        for stratum in STRATA:
            entry[f"by_{stratum}"] = {
                str(value): rate(group, indicator)
                for value, group in births.groupby(stratum, sort=True)
            }
        result[indicator] = entry
    return result


def event_truth(
    event: InjectedEvent, births: pd.DataFrame, month_starts: pd.DatetimeIndex
) -> dict[str, object]:
    start = event.start_month_index(len(month_starts))
    in_stratum = np.ones(len(births), dtype=bool)
    for column, value in event.stratum.items():
        in_stratum &= births[column].astype(str).to_numpy() == value
    scoped = births[in_stratum]
    return {
        "id": event.id,
        "description": event.description,
        "indicator": event.indicator,
        "stratum": event.stratum,
        "start_month": month_starts[start].strftime("%Y-%m") if start < len(month_starts) else None,
        "multiplier": event.multiplier,
        "expected_signal": event.expected_signal,
        "rate_before": rate(scoped[scoped["month_index"] < start], event.indicator),
        "rate_after": rate(scoped[scoped["month_index"] >= start], event.indicator),
    }
