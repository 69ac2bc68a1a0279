"""The inequalities the generator plants are in the written extract, significantly, and the
overall rates sit near national levels. Counted on the CSV, as the product will count them."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from tests.fhir_mappings.synthetic.conftest import WrittenDataSet

SOUTH_ASIAN = ["H", "J", "K"]
VAGINAL = ["spontaneous_vaginal", "forceps", "ventouse", "breech_vaginal"]


def risk_ratio_lower_bound(a: int, n1: int, c: int, n2: int) -> float:
    """Lower 95% limit of (a/n1)/(c/n2) on the log scale."""
    se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
    return math.exp(math.log((a / n1) / (c / n2)) - 1.959964 * se)


def significantly_higher(flag_a: pd.Series, flag_b: pd.Series) -> bool:
    return (
        risk_ratio_lower_bound(int(flag_a.sum()), len(flag_a), int(flag_b.sum()), len(flag_b)) > 1
    )


def singleton_live(births: pd.DataFrame) -> pd.DataFrame:
    return births[
        (births["birth_outcome"] == "live_birth")
        & (births["plurality"] == 1)
        & births["gestation_at_birth_days"].between(154, 315)
    ]


def preterm(frame: pd.DataFrame) -> pd.Series:
    return frame["gestation_at_birth_days"] <= 258


def test_preterm_birth_is_higher_for_black_than_white_british_women(births: pd.DataFrame) -> None:
    cohort = singleton_live(births)
    black = cohort[cohort["mother_ethnic_category"].isin(["M", "N", "P"])]
    white_british = cohort[cohort["mother_ethnic_category"] == "A"]
    assert significantly_higher(preterm(black), preterm(white_british))


def test_preterm_birth_is_higher_for_south_asian_women_and_in_deprived_areas(
    births: pd.DataFrame,
) -> None:
    cohort = singleton_live(births)
    south_asian = cohort[cohort["mother_ethnic_category"].isin(SOUTH_ASIAN)]
    white_british = cohort[cohort["mother_ethnic_category"] == "A"]
    assert significantly_higher(preterm(south_asian), preterm(white_british))
    assert significantly_higher(
        preterm(cohort[cohort["imd_quintile"] == 1]), preterm(cohort[cohort["imd_quintile"] == 5])
    )


def test_low_birth_weight_at_term_follows_ethnicity_and_deprivation(births: pd.DataFrame) -> None:
    term = births[
        (births["birth_outcome"] == "live_birth") & (births["gestation_at_birth_days"] >= 259)
    ]
    small = term["birth_weight_g"] < 2500
    assert significantly_higher(
        small[term["mother_ethnic_category"].isin(SOUTH_ASIAN)],
        small[term["mother_ethnic_category"] == "A"],
    )
    assert significantly_higher(
        small[term["mother_ethnic_category"].isin(["M", "N", "P"])],
        small[term["mother_ethnic_category"] == "A"],
    )
    assert significantly_higher(small[term["imd_quintile"] == 1], small[term["imd_quintile"] == 5])


def test_oasi_is_higher_for_south_asian_women(births: pd.DataFrame) -> None:
    vaginal = births[
        (births["plurality"] == 1)
        & births["mode_of_birth"].isin(VAGINAL)
        & (births["gestation_at_birth_days"] >= 259)
    ]
    oasi = vaginal["perineal_trauma"].str.match(r"^(third|fourth)_degree")
    assert significantly_higher(
        oasi[vaginal["mother_ethnic_category"].isin(SOUTH_ASIAN)],
        oasi[vaginal["mother_ethnic_category"] == "A"],
    )


def test_breastfeeding_at_six_to_eight_weeks_is_lower_in_deprived_quintiles(
    clean_data: WrittenDataSet, births: pd.DataFrame
) -> None:
    reviews = clean_data.health_visiting
    reviews = reviews[
        (reviews["contact_type"] == "six_to_eight_week_review") & (reviews["infant_feeding"] != "")
    ]
    reviews = reviews.merge(
        births[["baby_nhs_number", "imd_quintile"]],
        left_on="child_nhs_number",
        right_on="baby_nhs_number",
    )
    not_breastfed = reviews["infant_feeding"] == "not_breastfed"
    assert significantly_higher(
        not_breastfed[reviews["imd_quintile"] == 1], not_breastfed[reviews["imd_quintile"] == 5]
    )


def test_smoking_bmi_and_age_differ_by_group(births: pd.DataFrame) -> None:
    smoker = births["smoking_at_booking"] == "current"
    assert significantly_higher(
        smoker[births["mother_ethnic_category"] == "A"],
        smoker[births["mother_ethnic_category"].isin(SOUTH_ASIAN)],
    )
    bmi = births.groupby("mother_ethnic_category")["bmi_at_booking"].median()
    assert bmi["N"] > bmi["A"] > bmi["H"]
    age = births.groupby(births["imd_quintile"])["mother_dob"].apply(
        lambda dob: (pd.Timestamp("2025-01-01") - pd.to_datetime(dob)).dt.days.mean()
    )
    assert age[1] < age[5]
    parity = births.groupby("mother_ethnic_category")["parity"].mean()
    assert parity["J"] > parity["A"]


@pytest.mark.parametrize(
    ("indicator", "low", "high"),
    [
        ("preterm_birth", 60, 100),
        ("stillbirth", 2.5, 5.5),
        ("low_birth_weight_term", 2, 4.5),
        ("term_nnu_admission", 4, 8),
        ("breastfeeding_6_8_weeks", 40, 65),
    ],
)
def test_overall_rates_are_near_national_levels(
    clean_data: WrittenDataSet, indicator: str, low: float, high: float
) -> None:
    assert low < clean_data.truth["rates"][indicator]["overall"]["rate"] < high


def test_oasi_before_the_planted_rise_is_about_three_percent(clean_data: WrittenDataSet) -> None:
    oasi_event = next(e for e in clean_data.truth["injected_events"] if e["indicator"] == "oasi")
    births = clean_data.maternity
    before = births[
        (births["birth_datetime"] < oasi_event["start_month"])
        & (births["plurality"] == "1")
        & births["mode_of_birth"].isin(VAGINAL)
        & (births["gestation_at_birth_days"].astype(int) >= 259)
    ]
    rate = before["perineal_trauma"].str.match(r"^(third|fourth)_degree").mean()
    assert 0.02 < rate < 0.04
