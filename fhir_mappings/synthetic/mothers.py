"""Deliveries and the women giving birth: when, where they live, who they are, and their pregnancy
up to labour (booking, BMI, smoking, mental-health referral). One row per delivery.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fhir_mappings.ethnicity import BROAD_GROUP
from fhir_mappings.synthetic import population as pop
from fhir_mappings.synthetic.events import InjectedEvent, multiplier, strata_of
from fhir_mappings.synthetic.geography import City
from fhir_mappings.synthetic.sampling import categorical, categorical_index, chance, from_shares

CATEGORIES = list(pop.ETHNIC_PROFILES)
LANGUAGES = sorted({code for p in pop.ETHNIC_PROFILES.values() for code in p.languages})


def profile_vector(population: pop.Population, attribute: str) -> np.ndarray:
    """One value of a `GroupProfile` attribute per ethnic category, in `CATEGORIES` order."""
    return np.array([getattr(population.ethnic_profiles[c], attribute) for c in CATEGORIES])


def by_quintile(values: tuple[float, ...], quintile: np.ndarray) -> np.ndarray:
    return np.asarray(values)[quintile - 1]


def generate_deliveries(
    rng: np.random.Generator,
    city: City,
    *,
    births_per_year: int,
    month_starts: pd.DatetimeIndex,
    events: tuple[InjectedEvent, ...],
    population: pop.Population = pop.CITY,
) -> pd.DataFrame:
    month_index = _month_of_each_delivery(rng, births_per_year, month_starts)
    n = len(month_index)
    frame = pd.DataFrame({"month_index": month_index})
    frame["delivery_datetime"] = _datetimes_in_month(rng, month_starts, month_index)
    _residence(rng, city, frame)
    _identity(rng, frame, population)
    frame["plurality"] = np.where(chance(rng, pop.TWIN_SHARE, n), 2, 1)
    frame["site_code"] = from_shares(rng, pop.DELIVERY_SITES, n)
    practice = rng.integers(0, len(city.gp_practices), n)
    frame["gp_practice_code"] = city.gp_practices["practice_code"].to_numpy()[practice]
    frame["gp_postcode"] = city.gp_practices["practice_postcode"].to_numpy()[practice]
    _body_and_smoking(rng, frame, month_starts, events, population)
    _mental_health_referral(rng, frame, population)
    return frame


def _month_of_each_delivery(
    rng: np.random.Generator, births_per_year: int, month_starts: pd.DatetimeIndex
) -> np.ndarray:
    # Births peak in late summer and autumn in England; twins make up the babies/deliveries gap.
    season = 1 + 0.04 * np.sin(2 * np.pi * (month_starts.month.to_numpy() - 6) / 12)
    expected = births_per_year / 12 / (1 + pop.TWIN_SHARE) * season
    counts = rng.poisson(expected)
    return np.repeat(np.arange(len(month_starts)), counts)


def _datetimes_in_month(
    rng: np.random.Generator, month_starts: pd.DatetimeIndex, month_index: np.ndarray
) -> pd.Series:
    starts = month_starts[month_index]
    minutes_in_month = (starts + pd.offsets.MonthBegin(1) - starts).total_seconds() // 60
    offsets = np.floor(rng.random(len(month_index)) * minutes_in_month.to_numpy())
    return pd.Series(starts + pd.to_timedelta(offsets, unit="min")).sort_values(ignore_index=True)


def _residence(rng: np.random.Generator, city: City, frame: pd.DataFrame) -> None:
    n = len(frame)
    postcode_row = rng.integers(0, len(city.postcodes), n)
    out_of_area = chance(rng, pop.OUT_OF_AREA_SHARE, n)
    postcode = np.where(
        out_of_area,
        city.out_of_area_postcodes[rng.integers(0, len(city.out_of_area_postcodes), n)],
        city.postcodes["postcode"].to_numpy()[postcode_row],
    )
    for pseudo, share in pop.PSEUDO_POSTCODES.items():
        postcode = np.where(chance(rng, share, n), pseudo, postcode)
    frame["postcode"] = postcode
    # An out-of-area family still lives somewhere: it draws a deprivation level like the
    # city's, which the product cannot know (its postcode is not in the lookup).
    frame["imd_decile"] = city.postcodes["imd_decile"].to_numpy()[postcode_row]
    frame["imd_quintile"] = (frame["imd_decile"] + 1) // 2
    frame["out_of_area"] = out_of_area


def _identity(rng: np.random.Generator, frame: pd.DataFrame, population: pop.Population) -> None:
    n = len(frame)
    quintile = frame["imd_quintile"].to_numpy()
    shares = profile_vector(population, "share")
    affinity = np.array([population.ethnic_profiles[c].deprivation_affinity for c in CATEGORIES]).T
    category = categorical_index(rng, (shares * affinity)[quintile - 1])
    frame["ethnic_category"] = np.asarray(CATEGORIES, dtype=object)[category]
    frame["ethnic_group"] = frame["ethnic_category"].map(BROAD_GROUP)
    frame["_category"] = category

    language_table = np.array(
        [
            [population.ethnic_profiles[c].languages.get(code, 0.0) for code in LANGUAGES]
            for c in CATEGORIES
        ]
    )
    frame["language"] = categorical(rng, language_table[category], LANGUAGES)
    english = frame["language"].to_numpy() == "en"
    frame["interpreter_required"] = chance(
        rng,
        np.where(english, pop.INTERPRETER_REQUIRED_ENGLISH, pop.INTERPRETER_REQUIRED_NON_ENGLISH),
        n,
    )

    age = rng.normal(
        profile_vector(population, "age_mean")[category]
        + by_quintile(population.deprivation.age_shift_years, quintile),
        5.5,
    )
    age = np.clip(age, 15.0, 47.9)
    frame["mother_age_exact"] = age
    frame["mother_dob"] = frame["delivery_datetime"].dt.normalize() - pd.to_timedelta(
        np.round(age * 365.25), unit="D"
    )
    young = np.clip((age - 16) / 12, 0.15, 1.5)
    frame["parity"] = np.clip(
        rng.poisson(profile_vector(population, "parity_mean")[category] * young), 0, 9
    )


def _body_and_smoking(
    rng: np.random.Generator,
    frame: pd.DataFrame,
    month_starts: pd.DatetimeIndex,
    events: tuple[InjectedEvent, ...],
    population: pop.Population,
) -> None:
    n = len(frame)
    category = frame["_category"].to_numpy()
    quintile = frame["imd_quintile"].to_numpy()
    median = profile_vector(population, "bmi_median")[category] * by_quintile(
        population.deprivation.bmi_factor, quintile
    )
    bmi = np.clip(np.exp(rng.normal(np.log(median), population.clinical.bmi_log_sd)), 15.0, 60.0)
    frame["bmi_at_booking"] = np.where(chance(rng, 0.02, n), np.nan, np.round(bmi, 1))

    p_current = profile_vector(population, "smoking_current")[category] * by_quintile(
        population.deprivation.smoking_rr, quintile
    )
    draw = rng.random(n)
    booking = np.where(
        draw < p_current,
        "current",
        np.where(draw < p_current + population.clinical.smoking_ex, "ex", "never"),
    )
    persistence = population.clinical.smoking_persistence * multiplier(
        events,
        "smoking_persistence",
        frame["month_index"].to_numpy(),
        len(month_starts),
        strata_of(frame),
    )
    still = chance(rng, persistence, n)
    relapse = chance(rng, 0.03, n)
    starts = chance(rng, 0.004, n)
    delivery = np.select(
        [booking == "current", booking == "ex"],
        [np.where(still, "current", "ex"), np.where(relapse, "current", "ex")],
        np.where(starts, "current", "never"),
    )
    booking_missing = chance(rng, 0.03, n)
    frame["smoking_at_booking"] = np.where(booking_missing, "", booking)
    frame["smoking_at_delivery"] = np.where(
        chance(rng, 0.04, n) | (booking_missing & chance(rng, 0.5, n)), "", delivery
    )


def _mental_health_referral(
    rng: np.random.Generator, frame: pd.DataFrame, population: pop.Population
) -> None:
    n = len(frame)
    p = profile_vector(population, "pmh_referral")[frame["_category"].to_numpy()] * by_quintile(
        population.deprivation.pmh_referral_rr, frame["imd_quintile"].to_numpy()
    )
    referred = chance(rng, p, n)
    frame["pmh_referral"] = np.where(chance(rng, 0.03, n), "", np.where(referred, "Y", "N"))
    frame["pmh_referral_source"] = np.where(
        frame["pmh_referral"] == "Y",
        from_shares(rng, population.clinical.pmh_referral_sources, n),
        "",
    )
    frame["_pmh_referral_fraction"] = rng.random(n)  # where between booking and birth
