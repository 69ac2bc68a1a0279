"""Labour, birth and the babies: gestation, booking, mode of birth, perineal trauma, blood loss,
then one row per baby with weight, outcome, Apgar and first feed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fhir_mappings.synthetic import population as pop
from fhir_mappings.synthetic.events import InjectedEvent, multiplier, strata_of
from fhir_mappings.synthetic.mothers import by_quintile, profile_vector
from fhir_mappings.synthetic.sampling import categorical, chance, from_shares

VAGINAL_MODES = ("spontaneous_vaginal", "forceps", "ventouse", "breech_vaginal")


def add_pregnancy_and_labour(
    rng: np.random.Generator,
    deliveries: pd.DataFrame,
    *,
    month_count: int,
    events: tuple[InjectedEvent, ...],
    population: pop.Population = pop.CITY,
) -> pd.DataFrame:
    frame = deliveries.copy()
    _gestation(rng, frame, population)
    _booking(rng, frame, population)
    _labour(rng, frame, population)
    _perineum_and_blood_loss(rng, frame, month_count, events, population)
    return frame


def expand_to_babies(
    rng: np.random.Generator, deliveries: pd.DataFrame, population: pop.Population = pop.CITY
) -> pd.DataFrame:
    """One row per baby: twins share their delivery's row and differ by order and minutes."""
    babies = deliveries.loc[deliveries.index.repeat(deliveries["plurality"])].reset_index(
        names="delivery_row"
    )
    babies["birth_order"] = babies.groupby("delivery_row").cumcount() + 1
    second = babies["birth_order"].to_numpy() > 1
    minutes = np.where(second, rng.integers(2, 40, len(babies)), 0)
    babies["birth_datetime"] = babies["delivery_datetime"] + pd.to_timedelta(minutes, unit="min")
    _baby_outcomes(rng, babies, population)
    return babies


def _gestation(rng: np.random.Generator, frame: pd.DataFrame, population: pop.Population) -> None:
    clinical = population.clinical
    n = len(frame)
    p_preterm = np.where(
        frame["plurality"].to_numpy() > 1,
        clinical.preterm_twin,
        clinical.preterm
        * profile_vector(population, "preterm_rr")[frame["_category"].to_numpy()]
        * by_quintile(population.deprivation.preterm_rr, frame["imd_quintile"].to_numpy()),
    )
    preterm = chance(rng, p_preterm, n)
    bands = np.array([(low, high) for low, high, _ in clinical.preterm_bands])
    band = rng.choice(len(bands), n, p=[share for *_, share in clinical.preterm_bands])
    preterm_days = rng.integers(bands[band, 0], bands[band, 1] + 1)
    term_days = np.clip(
        np.round(rng.normal(clinical.term_gestation_mean_days, clinical.term_gestation_sd_days, n)),
        259,
        297,
    )
    frame["gestation_days"] = np.where(preterm, preterm_days, term_days).astype(int)


def _booking(rng: np.random.Generator, frame: pd.DataFrame, population: pop.Population) -> None:
    clinical = population.clinical
    n = len(frame)
    non_english = frame["language"].to_numpy() != "en"
    p_late = (
        clinical.late_booking
        * np.where(non_english, clinical.late_booking_non_english_rr, 1.0)
        * by_quintile(population.deprivation.late_booking_rr, frame["imd_quintile"].to_numpy())
    )
    late = chance(rng, p_late, n)
    days = np.where(late, 91 + np.round(rng.exponential(30, n)), rng.integers(49, 91, n))
    days = np.minimum(days, frame["gestation_days"].to_numpy() - 7).astype(int)
    frame["booking_gestation_days"] = days
    days_before_birth = frame["gestation_days"] - days
    frame["booking_date"] = frame["delivery_datetime"].dt.normalize() - pd.to_timedelta(
        days_before_birth, unit="D"
    )
    referral_offset = np.floor(frame.pop("_pmh_referral_fraction") * days_before_birth)
    frame["pmh_referral_date"] = (
        frame["booking_date"] + pd.to_timedelta(referral_offset, unit="D")
    ).where(frame["pmh_referral"] == "Y")


def _labour(rng: np.random.Generator, frame: pd.DataFrame, population: pop.Population) -> None:
    clinical = population.clinical
    n = len(frame)
    preterm = frame["gestation_days"].to_numpy() < 259
    breech_p = np.where(preterm, 0.12, clinical.breech)
    draw = rng.random(n)
    frame["presentation"] = np.where(
        draw < breech_p, "breech", np.where(draw < breech_p + 0.01, "other", "cephalic")
    )
    breech = frame["presentation"].to_numpy() == "breech"
    twins = frame["plurality"].to_numpy() > 1
    p_before_labour = np.select(
        [twins, breech],
        [clinical.caesarean_before_labour_twins, clinical.caesarean_before_labour_breech],
        clinical.caesarean_before_labour,
    )
    before_labour = chance(rng, p_before_labour, n)
    induced = chance(rng, clinical.induced, n)
    frame["onset_of_labour"] = np.where(
        before_labour, "caesarean_before_labour", np.where(induced, "induced", "spontaneous")
    )

    nulliparous = frame["parity"].to_numpy() == 0

    def parity_rr(outcome: str) -> np.ndarray:
        first, later = clinical.parity_rr[outcome]
        return np.where(nulliparous, first, later)

    emergency = (
        clinical.emergency_caesarean
        * profile_vector(population, "emergency_caesarean_rr")[frame["_category"].to_numpy()]
        * parity_rr("emergency_caesarean")
        * np.where(induced, 1.3, 1.0)
    )
    forceps = clinical.forceps * parity_rr("forceps")
    ventouse = clinical.ventouse * parity_rr("ventouse")
    spontaneous = np.clip(1 - emergency - forceps - ventouse, 0.05, None)
    cephalic_mode = categorical(
        rng,
        np.column_stack([emergency, forceps, ventouse, spontaneous]),
        ["emergency_caesarean", "forceps", "ventouse", "spontaneous_vaginal"],
    )
    breech_mode = np.where(chance(rng, 0.4, n), "breech_vaginal", "emergency_caesarean")
    frame["mode_of_birth"] = np.select(
        [before_labour, breech], ["elective_caesarean", breech_mode], cephalic_mode
    )


def _perineum_and_blood_loss(
    rng: np.random.Generator,
    frame: pd.DataFrame,
    month_count: int,
    events: tuple[InjectedEvent, ...],
    population: pop.Population,
) -> None:
    clinical = population.clinical
    n = len(frame)
    mode = frame["mode_of_birth"].to_numpy()
    instrument = np.select(
        [mode == "forceps", mode == "ventouse", mode == "breech_vaginal"], [3.0, 1.7, 1.5], 1.0
    )
    p_oasi = (
        clinical.oasi
        * instrument
        * np.where(frame["parity"].to_numpy() == 0, *clinical.parity_rr["oasi"])
        * profile_vector(population, "oasi_rr")[frame["_category"].to_numpy()]
        * multiplier(events, "oasi", frame["month_index"].to_numpy(), month_count, strata_of(frame))
    )
    oasi = chance(rng, p_oasi, n)
    trauma = np.where(
        oasi,
        from_shares(rng, clinical.oasi_grade_shares, n),
        from_shares(rng, clinical.other_trauma_shares, n),
    )
    frame["perineal_trauma"] = np.where(np.isin(mode, VAGINAL_MODES), trauma, "")

    median = pd.Series(mode).map(clinical.blood_loss_median_ml).to_numpy(dtype=float) * np.where(
        frame["plurality"].to_numpy() > 1, 1.3, 1.0
    )
    loss = np.exp(rng.normal(np.log(median), clinical.blood_loss_log_sd))
    frame["blood_loss_ml"] = (np.round(loss / 10) * 10).astype(int)


def _baby_outcomes(
    rng: np.random.Generator, babies: pd.DataFrame, population: pop.Population
) -> None:
    clinical = population.clinical
    n = len(babies)
    category = babies["_category"].to_numpy()
    quintile = babies["imd_quintile"].to_numpy()
    gestation = babies["gestation_days"].to_numpy()
    term = gestation >= 259
    babies["baby_sex"] = from_shares(
        rng, {"male": 0.512, "female": 0.487, "indeterminate": 0.001}, n
    )

    weeks = gestation / 7
    hadlock = np.exp(0.578 + 0.332 * weeks - 0.00354 * weeks**2)  # Hadlock 1991 median, grams
    median = (
        clinical.birth_weight_scale
        * hadlock
        * profile_vector(population, "birth_weight_factor")[category]
        * by_quintile(population.deprivation.birth_weight_factor, quintile)
        * np.where(babies["plurality"].to_numpy() > 1, 0.88, 1.0)
        * np.where(babies["smoking_at_delivery"].to_numpy() == "current", 0.93, 1.0)
        * pd.Series(babies["baby_sex"])
        .map({"male": 1.02, "female": 0.98, "indeterminate": 1.0})
        .to_numpy()
    )
    babies["birth_weight_g"] = np.maximum(
        np.round(median * np.exp(rng.normal(0, clinical.birth_weight_log_sd, n))), 250
    ).astype(int)

    p_stillbirth = (
        np.where(term, clinical.stillbirth_term, clinical.stillbirth_preterm)
        * profile_vector(population, "stillbirth_rr")[category]
        * by_quintile(population.deprivation.stillbirth_rr, quintile)
    )
    stillborn = chance(rng, p_stillbirth, n) & (gestation >= 168)
    antepartum = chance(rng, clinical.stillbirth_antepartum_share, n)
    babies["birth_outcome"] = np.where(
        stillborn,
        np.where(antepartum, "stillbirth_antepartum", "stillbirth_intrapartum"),
        "live_birth",
    )

    p_low_apgar = np.select(
        [gestation < 196, gestation < 224, gestation < 259],
        [0.35, 0.12, 0.035],
        clinical.apgar_low_term,
    )
    low = chance(rng, p_low_apgar, n)
    apgar = np.where(
        low,
        rng.choice(np.arange(1, 7), n, p=[0.05, 0.1, 0.15, 0.2, 0.25, 0.25]),
        rng.choice(np.arange(7, 11), n, p=[0.03, 0.09, 0.68, 0.2]),
    )
    babies["apgar_5min"] = np.where(stillborn, np.nan, apgar)

    p_breast = np.clip(
        profile_vector(population, "breast_milk_first_feed")[category]
        * by_quintile(population.deprivation.breast_milk_first_feed, quintile),
        0,
        0.97,
    )
    feed = np.where(chance(rng, p_breast, n), "breast_milk", "formula")
    feed = np.where((gestation < 224) & chance(rng, 0.3, n), "none", feed)
    babies["first_feed"] = np.where(stillborn, "", feed)
    caesarean = np.char.endswith(babies["mode_of_birth"].to_numpy().astype(str), "caesarean")
    p_skin = np.where(gestation < 245, 0.3, np.where(caesarean, 0.65, 0.88))
    skin = np.where(chance(rng, p_skin, n), "Y", "N")
    babies["skin_to_skin_1h"] = np.where(stillborn | chance(rng, 0.02, n), "", skin)
