"""A region with nothing planted (`--nothing-planted`): no events, and no group of ethnicity,
language or deprivation at a different risk from another, so any alert on it is a false alarm
(bench/null_regions.py counts them). The city's own region, from the same seed, differs by
group on the same tests beyond any chance: the tests can tell the two apart."""

from __future__ import annotations

from functools import cache

import pandas as pd
import pytest
from scipy.stats import chi2_contingency

from fhir_mappings.synthetic.generator import generate
from fhir_mappings.synthetic.spec import SynthesisSpec

SPEC = {"births_per_year": 6_000, "years": 2, "seed": 4, "defect_rate": 0.0}


@cache
def maternity(nothing_planted: bool) -> pd.DataFrame:
    frame = generate(SynthesisSpec(**SPEC, nothing_planted=nothing_planted)).extracts["maternity"]
    births = frame.frame
    for column in ("gestation_at_birth_days", "gestation_at_booking_days"):
        births[column] = pd.to_numeric(births[column])
    return births


OUTCOMES = {
    "preterm": lambda b: b["gestation_at_birth_days"] <= 258,
    "oasi": lambda b: b["perineal_trauma"].isin(
        ["third_degree_3a", "third_degree_3b", "third_degree_3c", "fourth_degree"]
    ),
    "smoking_at_booking": lambda b: b["smoking_at_booking"] == "current",
    "late_booking": lambda b: b["gestation_at_booking_days"] > 90,
    "emergency_caesarean": lambda b: b["mode_of_birth"] == "emergency_caesarean",
}
GROUPS = {
    "ethnic category": lambda b: b["mother_ethnic_category"],
    "English or not": lambda b: b["mother_language"] == "en",
    "age band": lambda b: pd.cut(pd.to_numeric(b["mother_dob"].str[:4]), [0, 1985, 1995, 3000]),
}


def p_value(births: pd.DataFrame, outcome: str, grouping: str) -> float:
    table = pd.crosstab(GROUPS[grouping](births), OUTCOMES[outcome](births))
    return float(chi2_contingency(table)[1])


def test_nothing_planted_has_no_events_and_no_designed_inequalities() -> None:
    truth = generate(SynthesisSpec(**SPEC, nothing_planted=True)).truth
    assert truth["injected_events"] == []
    assert truth["planted_inequalities"] == []
    assert truth["generator"]["nothing_planted"] is True


@pytest.mark.parametrize("grouping", list(GROUPS))
@pytest.mark.parametrize("outcome", list(OUTCOMES))
def test_no_group_differs_where_nothing_is_planted(outcome: str, grouping: str) -> None:
    assert p_value(maternity(True), outcome, grouping) > 0.001


def test_the_city_region_differs_by_group_on_the_same_tests() -> None:
    city = maternity(False)
    assert p_value(city, "oasi", "ethnic category") < 1e-6
    assert p_value(city, "smoking_at_booking", "ethnic category") < 1e-6
    assert p_value(city, "late_booking", "English or not") < 1e-6
    assert p_value(city, "emergency_caesarean", "age band") < 0.001
