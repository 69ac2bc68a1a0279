"""Neonatal unit episodes: who is admitted, how long at each level of care, HIE, brain injury,
deaths, feeding at discharge, and the father's details the neonatal team records."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fhir_mappings.synthetic import population as pop
from fhir_mappings.synthetic.events import InjectedEvent, multiplier, strata_of
from fhir_mappings.synthetic.mothers import CATEGORIES, by_quintile, profile_vector
from fhir_mappings.synthetic.sampling import banded, categorical, chance, from_shares

NEONATAL = pop.NEONATAL
DAY_COLUMNS = (
    "days_intensive_care",
    "days_high_dependency",
    "days_special_care",
    "days_transitional_care",
)
# Share of a stay at each level of care, by gestation band (days below which it applies).
LEVEL_SHARES = (
    (196, (0.25, 0.25, 0.4, 0.1)),
    (224, (0.1, 0.25, 0.55, 0.1)),
    (259, (0.02, 0.1, 0.7, 0.18)),
    (400, (0.0, 0.05, 0.55, 0.4)),
)


def generate_episodes(
    rng: np.random.Generator,
    babies: pd.DataFrame,
    *,
    month_count: int,
    events: tuple[InjectedEvent, ...],
    population: pop.Population = pop.CITY,
) -> pd.DataFrame:
    """One row per neonatal unit episode, keyed by the baby's row in `babies`."""
    live = babies[babies["birth_outcome"] == "live_birth"]
    admitted = live[_admitted(rng, live, month_count, events)]
    episodes = admitted.reset_index(names="baby_row")
    _care(rng, episodes)
    _discharge(rng, episodes, population)
    _father(rng, episodes)
    return episodes


def _admitted(
    rng: np.random.Generator,
    live: pd.DataFrame,
    month_count: int,
    events: tuple[InjectedEvent, ...],
) -> np.ndarray:
    gestation = live["gestation_days"].to_numpy()
    term = gestation >= 259
    p = banded(NEONATAL.admission_by_gestation, gestation)
    low_apgar = live["apgar_5min"].to_numpy() < 7
    small = live["birth_weight_g"].to_numpy() < 2500
    p = np.where(term & low_apgar, np.maximum(p, NEONATAL.term_low_apgar_admission), p)
    p = np.where(term & small, np.maximum(p, NEONATAL.term_low_weight_admission), p)
    p = np.where(
        term,
        p
        * multiplier(
            events, "term_admission", live["month_index"].to_numpy(), month_count, strata_of(live)
        ),
        p,
    )
    return chance(rng, p, len(live))


def _care(rng: np.random.Generator, episodes: pd.DataFrame) -> None:
    n = len(episodes)
    gestation = episodes["gestation_days"].to_numpy()
    term = gestation >= 259
    low_apgar = episodes["apgar_5min"].to_numpy() < 7

    p_mod_severe = np.where(
        term,
        np.where(low_apgar, NEONATAL.hie_moderate_severe_low_apgar, NEONATAL.hie_moderate_severe),
        0.0,
    )
    p_mild = np.where(
        term, np.where(low_apgar, NEONATAL.hie_mild_low_apgar, NEONATAL.hie_mild), 0.0
    )
    severe = chance(rng, NEONATAL.severe_share_of_moderate_severe, n)
    hie = categorical(
        rng,
        np.column_stack([p_mod_severe, p_mild, 1 - p_mod_severe - p_mild]),
        ["moderate_severe", "mild", "none"],
    )
    hie = np.where(hie == "moderate_severe", np.where(severe, "severe", "moderate"), hie)
    episodes["hie_grade"] = hie
    cooled = np.where(
        np.isin(hie, ("moderate", "severe")),
        chance(rng, 0.92, n),
        np.where(hie == "mild", chance(rng, 0.15, n), False),
    )
    episodes["therapeutic_hypothermia"] = np.where(cooled, "Y", "N")

    very_preterm = gestation < 224
    injury = np.select(
        [very_preterm, np.isin(hie, ("moderate", "severe"))],
        [
            from_shares(
                rng, {"ivh_grade_3": 0.04, "ivh_grade_4": 0.03, "cystic_pvl": 0.03, "none": 0.9}, n
            ),
            np.where(chance(rng, 0.45, n), "hie_injury", "none"),
        ],
        np.where(chance(rng, 0.004, n), "other", "none"),
    )
    episodes["brain_injury"] = injury

    preterm_stay = (259 - gestation) * rng.uniform(0.8, 1.1, n) + 3
    term_stay = 1 + rng.geometric(0.3, n) + np.where(cooled, 7, 0)
    stay_days = np.round(np.where(term, term_stay, preterm_stay)).astype(int)
    shares = np.array([shares for _, shares in LEVEL_SHARES])
    band = np.searchsorted([upper for upper, _ in LEVEL_SHARES], gestation, side="right")
    level_shares = shares[np.minimum(band, len(shares) - 1)].copy()
    level_shares[cooled] = (0.4, 0.2, 0.4, 0.0)
    days = np.floor(level_shares * stay_days[:, None]).astype(int)
    days[:, 2] += stay_days - days.sum(axis=1)  # the rounding remainder goes to special care
    for index, column in enumerate(DAY_COLUMNS):
        episodes[column] = days[:, index]
    episodes["stay_days"] = stay_days

    term_reason = from_shares(rng, NEONATAL.admission_reasons_term, n)
    episodes["admission_reason"] = np.select(
        [gestation < 245, np.isin(hie, ("moderate", "severe", "mild"))],
        ["prematurity", "encephalopathy"],
        term_reason,
    )
    delay_minutes = np.where(term, rng.exponential(6 * 60, n), rng.uniform(5, 90, n))
    episodes["admission_datetime"] = episodes["birth_datetime"] + pd.to_timedelta(
        np.round(delay_minutes), unit="min"
    )
    episodes["unit_code"] = episodes["site_code"].map(pop.NEONATAL_UNIT_OF_SITE)


def _discharge(
    rng: np.random.Generator, episodes: pd.DataFrame, population: pop.Population
) -> None:
    n = len(episodes)
    gestation = episodes["gestation_days"].to_numpy()
    p_death = banded(NEONATAL.death_by_gestation, gestation)
    p_death = np.where(
        episodes["hie_grade"].to_numpy() == "severe",
        np.maximum(p_death, NEONATAL.death_severe_hie),
        p_death,
    )
    died = chance(rng, p_death, n)
    stay = episodes["stay_days"].to_numpy()
    death_day = np.minimum(rng.integers(0, 28, n), np.maximum(stay - 1, 0))
    stay = np.where(died, np.maximum(death_day, 0), stay)
    discharge = (
        episodes["admission_datetime"]
        + pd.to_timedelta(stay, unit="D")
        + pd.to_timedelta(rng.integers(60, 600, n), unit="min")
    )
    episodes["discharge_datetime"] = discharge
    episodes["death_datetime"] = discharge.where(died)
    destination = categorical(
        rng,
        np.tile(
            [
                1 - NEONATAL.discharge_transfer - NEONATAL.discharge_foster_care,
                NEONATAL.discharge_transfer,
                NEONATAL.discharge_foster_care,
            ],
            (n, 1),
        ),
        ["home", "transfer", "foster_care"],
    )
    episodes["discharge_destination"] = np.where(died, "died", destination)

    p_milk = np.clip(
        profile_vector(population, "breast_milk_nnu_discharge")[episodes["_category"].to_numpy()]
        * by_quintile(
            population.deprivation.breast_milk_first_feed, episodes["imd_quintile"].to_numpy()
        ),
        0,
        0.97,
    )
    milk = np.where(
        chance(rng, p_milk, n),
        np.where(chance(rng, NEONATAL.exclusive_share_of_breast_milk, n), "exclusive", "partial"),
        "none",
    )
    episodes["breast_milk_at_discharge"] = np.where(died, "", milk)
    # A baby who died spent its (shorter) stay in intensive care.
    for column in DAY_COLUMNS:
        episodes[column] = np.where(died, 0, episodes[column])
    episodes["days_intensive_care"] = np.where(died, stay, episodes["days_intensive_care"])


def _father(rng: np.random.Generator, episodes: pd.DataFrame) -> None:
    n = len(episodes)
    age = np.round(episodes["mother_age_exact"].to_numpy() + rng.normal(3, 4, n))
    episodes["father_age"] = np.where(chance(rng, 0.12, n), np.nan, np.clip(age, 16, 70))
    other = np.asarray(CATEGORIES, dtype=object)[rng.integers(0, len(CATEGORIES) - 2, n)]
    same = chance(rng, 0.8, n)
    ethnicity = np.where(same, episodes["ethnic_category"].to_numpy(), other)
    episodes["father_ethnic_category"] = np.where(chance(rng, 0.18, n), "", ethnicity)
    quintile = episodes["imd_quintile"].to_numpy()
    occupations = np.empty(n, dtype=object)
    for q, names in enumerate(pop.FATHER_OCCUPATIONS_BY_QUINTILE, start=1):
        rows = quintile == q
        occupations[rows] = rng.choice(names, rows.sum())
    episodes["father_occupation"] = np.where(chance(rng, 0.25, n), "", occupations)


def as_extracted_on(episodes: pd.DataFrame, extract_date: pd.Timestamp) -> pd.DataFrame:
    """The episodes as the system holds them at the end of `extract_date`: later admissions are
    not there yet, and a baby still on the unit has no discharge (nor final day counts)."""
    cutoff = extract_date + pd.Timedelta(days=1)
    extracted = episodes[episodes["admission_datetime"] < cutoff].copy()
    ongoing = extracted["discharge_datetime"] >= cutoff
    blank_when_ongoing = [
        "discharge_datetime",
        "death_datetime",
        "discharge_destination",
        "breast_milk_at_discharge",
        *DAY_COLUMNS,
    ]
    for column in blank_when_ongoing:
        extracted[column] = extracted[column].where(~ongoing)
    return extracted
