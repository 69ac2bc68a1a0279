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
from fhir_mappings.synthetic.population import CITY, Population

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


# The inequalities the population is built with (population.py), as the catalogue's
# indicators: an ethnic group's relative risk (its categories' design, weighted by their
# shares) against White, and the most deprived quintile's against the least deprived. Listed
# where the design makes the worse-off group at least MATERIAL times as badly off.
MATERIAL = 1.25
ETHNIC_DESIGN = {"preterm_birth": "preterm_rr", "stillbirth": "stillbirth_rr", "oasi": "oasi_rr"}
# Indicator → (the design's multiplier by quintile, whether a higher multiplier is worse).
DEPRIVATION_DESIGN = {
    "preterm_birth": ("preterm_rr", True),
    "stillbirth": ("stillbirth_rr", True),
    "smoking_at_booking": ("smoking_rr", True),
    "early_booking": ("late_booking_rr", True),  # more late bookings: fewer early ones
    "breastfeeding_6_8_weeks": ("breastfeeding_6_8_weeks", False),
}


def planted_inequalities(
    births: pd.DataFrame | None = None, population: Population | None = None
) -> list[dict[str, object]]:
    """The designed inequalities; with the region's clean `births`, each an oracle indicator
    counts says whether the region shows it (`shown`: the worse-off group significantly worse
    over the whole period, by the risk ratio's 95% interval). A planted inequality the region
    is too small to show (a 1.3× risk of stillbirth in a group of a few hundred births) is no
    failure of the product's to find."""
    from fhir_mappings.ethnicity import BROAD_GROUP

    population = population or CITY
    planted: list[dict[str, object]] = []
    for indicator, attribute in ETHNIC_DESIGN.items():
        by_group: dict[str, list[tuple[float, float]]] = {}
        for category, profile in population.ethnic_profiles.items():
            by_group.setdefault(BROAD_GROUP[category], []).append(
                (profile.share, getattr(profile, attribute))
            )
        design = {
            group: sum(share * rr for share, rr in parts) / sum(share for share, _ in parts)
            for group, parts in by_group.items()
        }
        for group, rr in sorted(design.items()):
            ratio = rr / design["White"]
            if group != "White" and ratio >= MATERIAL:
                planted.append({"indicator": indicator, "stratification": "ethnic_group",
                                "group": group, "designed_ratio": round(ratio, 2)})  # fmt: skip
    for indicator, (attribute, higher_is_worse) in DEPRIVATION_DESIGN.items():
        values = getattr(population.deprivation, attribute)
        most, least = values[0], values[-1]
        ratio = most / least if higher_is_worse else least / most
        if ratio >= MATERIAL:
            planted.append({"indicator": indicator, "stratification": "imd_quintile",
                            "group": "1", "designed_ratio": round(ratio, 2)})  # fmt: skip
    if births is not None:
        for entry in planted:
            entry["shown"] = _shown(births, entry)
    return planted


REFERENCES = {"ethnic_group": "White", "imd_quintile": 5}
# Indicators where the worse-off group's rate is the lower one.
LOWER_IS_WORSE = {"early_booking", "breastfeeding_6_8_weeks"}


def _shown(births: pd.DataFrame, planted: dict[str, object]) -> bool | None:
    """None where no oracle counts the indicator (then the design alone stands)."""
    from alerts.inequality.comparisons import risk_ratio

    indicator, column = str(planted["indicator"]), str(planted["stratification"])
    if indicator not in ORACLE:
        return None
    group = planted["group"] if column == "ethnic_group" else int(str(planted["group"]))
    counted = {
        value: rate(births[births[column] == value], indicator)
        for value in (group, REFERENCES[column])
    }
    a, n1 = counted[group]["numerator"], counted[group]["denominator"]
    c, n2 = counted[REFERENCES[column]]["numerator"], counted[REFERENCES[column]]["denominator"]
    ratio, lower, upper = risk_ratio(float(a or 0), float(n1 or 0), float(c or 0), float(n2 or 0))
    if ratio is None:
        return False
    if indicator in LOWER_IS_WORSE:
        return upper is not None and upper < 1
    return lower is not None and lower > 1
