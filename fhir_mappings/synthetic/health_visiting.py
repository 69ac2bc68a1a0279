"""Health-visiting contacts: antenatal, new-birth visit, 6–8-week review and one-year review, with
infant feeding, the maternal mood screen and perinatal mental health referrals."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fhir_mappings.synthetic import population as pop
from fhir_mappings.synthetic.mothers import by_quintile, profile_vector
from fhir_mappings.synthetic.sampling import chance, from_shares

# Coverage and timing are the service's, not a group's: the same in every population.
HV = pop.HEALTH_VISITING
MOTHER_COLUMNS = ["_category", "imd_quintile", "interpreter_required", "language", "postcode"]
CONTACT_ORDER = ("antenatal", "new_birth_visit", "six_to_eight_week_review", "one_year_review")


def generate_contacts(
    rng: np.random.Generator,
    babies: pd.DataFrame,
    episodes: pd.DataFrame,
    *,
    extract_date: pd.Timestamp,
    postcodes: np.ndarray,
    population: pop.Population = pop.CITY,
) -> pd.DataFrame:
    """One row per contact that happened on or before the extract date."""
    survivors = _surviving_babies(babies, episodes)
    frames = [_antenatal(rng, babies)]
    for contact_type in CONTACT_ORDER[1:]:
        frames.append(_postnatal(rng, survivors, contact_type))
    contacts = pd.concat(frames, ignore_index=True)
    contacts = contacts[contacts["contact_date"] <= extract_date]
    contacts = contacts.sort_values(["contact_date", "baby_row", "contact_type"], kind="stable")
    contacts = contacts.reset_index(drop=True).join(babies[MOTHER_COLUMNS], on="baby_row")
    _screens_and_feeding(rng, contacts, population)
    _language_and_address(rng, contacts, postcodes)
    return contacts


def _surviving_babies(babies: pd.DataFrame, episodes: pd.DataFrame) -> pd.DataFrame:
    live = babies[babies["birth_outcome"] == "live_birth"].copy()
    died = episodes.loc[episodes["discharge_destination"] == "died", "baby_row"]
    live = live.drop(index=died)
    discharged = episodes.set_index("baby_row")["discharge_datetime"]
    # Visits are counted from the day the baby came home.
    live["home_date"] = discharged.reindex(live.index).fillna(live["birth_datetime"])
    return live.assign(home_date=lambda f: f["home_date"].dt.normalize())


def _antenatal(rng: np.random.Generator, babies: pd.DataFrame) -> pd.DataFrame:
    firstborn = babies[(babies["birth_order"] == 1) & (babies["gestation_days"] >= 224)]
    seen = firstborn[chance(rng, HV.coverage["antenatal"], len(firstborn))]
    weeks_before = rng.integers(4, 9, len(seen)) * 7 + (seen["gestation_days"] - 252).clip(0)
    return pd.DataFrame(
        {
            "baby_row": seen.index,
            "contact_type": "antenatal",
            "contact_date": seen["birth_datetime"].dt.normalize()
            - pd.to_timedelta(weeks_before, unit="D"),
            "child_born": False,
        }
    )


def _postnatal(
    rng: np.random.Generator, survivors: pd.DataFrame, contact_type: str
) -> pd.DataFrame:
    seen = survivors[chance(rng, HV.coverage[contact_type], len(survivors))]
    low, high = HV.timing_days[contact_type]
    due = seen["birth_datetime"].dt.normalize() + pd.to_timedelta(
        rng.integers(low, high + 1, len(seen)), unit="D"
    )
    after_home = seen["home_date"] + pd.to_timedelta(3, unit="D")
    return pd.DataFrame(
        {
            "baby_row": seen.index,
            "contact_type": contact_type,
            "contact_date": np.maximum(due, after_home),
            "child_born": True,
        }
    )


def _screens_and_feeding(
    rng: np.random.Generator, contacts: pd.DataFrame, population: pop.Population
) -> None:
    hv = population.health_visiting
    n = len(contacts)
    kind = contacts["contact_type"].to_numpy()
    feeding = np.full(n, "", dtype=object)
    for contact_type in CONTACT_ORDER[1:]:
        rows = kind == contact_type
        feeding[rows] = _feeding(rng, contacts.loc[rows], contact_type, population)
    contacts["infant_feeding"] = np.where(chance(rng, 0.04, n), "", feeding)

    interpreter = contacts["interpreter_required"].to_numpy()
    screened_here = np.isin(kind, ("antenatal", "new_birth_visit", "six_to_eight_week_review"))
    not_done = chance(
        rng, np.where(interpreter, hv.mood_screen_not_done_interpreter, hv.mood_screen_not_done), n
    )
    p_positive = hv.mood_screen_positive * by_quintile(
        population.deprivation.mood_screen_positive_rr, contacts["imd_quintile"].to_numpy()
    )
    positive = chance(rng, p_positive, n)
    screen = np.where(not_done, "not_done", np.where(positive, "positive", "negative"))
    contacts["maternal_mood_screen"] = np.where(screened_here, screen, "")

    p_referral = np.select(
        [screen == "positive", screen == "negative"],
        [
            np.where(
                interpreter, hv.referral_after_positive_interpreter, hv.referral_after_positive
            ),
            hv.referral_after_negative,
        ],
        0.0,
    )
    referred = np.where(screened_here, chance(rng, p_referral, n), False)
    contacts["pmh_referral"] = np.where(screened_here, np.where(referred, "Y", "N"), "")
    contacts["pmh_referral_source"] = np.where(
        referred, from_shares(rng, {"health_visitor": 0.8, "gp": 0.1, "self": 0.1}, n), ""
    )


def _feeding(
    rng: np.random.Generator, seen: pd.DataFrame, contact_type: str, population: pop.Population
) -> np.ndarray:
    hv = population.health_visiting
    n = len(seen)
    category = seen["_category"].to_numpy()
    quintile = seen["imd_quintile"].to_numpy()
    p_any = np.clip(
        profile_vector(population, "breastfeeding_6_8_weeks")[category]
        * by_quintile(population.deprivation.breastfeeding_6_8_weeks, quintile)
        * hv.any_breastfeeding_factor[contact_type],
        0,
        0.97,
    )
    any_breastfeeding = chance(rng, p_any, n)
    totally = chance(rng, hv.totally_share[contact_type], n)
    return np.where(
        any_breastfeeding,
        np.where(totally, "totally_breastfed", "partially_breastfed"),
        "not_breastfed",
    )


def _language_and_address(
    rng: np.random.Generator, contacts: pd.DataFrame, postcodes: np.ndarray
) -> None:
    n = len(contacts)
    used = chance(rng, HV.interpreter_used_when_required, n)
    contacts["interpreter_used"] = np.where(
        contacts["interpreter_required"].to_numpy() & used, "Y", "N"
    )
    moved = chance(rng, HV.moved_house, n)
    contacts["contact_postcode"] = np.where(
        moved, postcodes[rng.integers(0, len(postcodes), n)], contacts["postcode"].to_numpy()
    )
