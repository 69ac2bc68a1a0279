"""A clean extract follows the reference formats of `shared/domain/source-extracts.md` exactly,
and describes the kind of city and unit the issue asks for."""

from __future__ import annotations

import pandas as pd
import pytest

from fhir_mappings.nhs_number import is_valid
from tests.fhir_mappings.synthetic.conftest import WrittenDataSet

MATERNITY_COLUMNS = [
    "episode_id",
    "mother_nhs_number",
    "mother_local_id",
    "mother_dob",
    "mother_postcode",
    "gp_practice_code",
    "gp_postcode",
    "mother_ethnic_category",
    "mother_language",
    "interpreter_required",
    "booking_date",
    "gestation_at_booking_days",
    "bmi_at_booking",
    "smoking_at_booking",
    "smoking_at_delivery",
    "parity",
    "delivery_site_code",
    "birth_datetime",
    "plurality",
    "birth_order",
    "onset_of_labour",
    "mode_of_birth",
    "presentation",
    "perineal_trauma",
    "blood_loss_ml",
    "baby_nhs_number",
    "baby_local_id",
    "baby_sex",
    "birth_weight_g",
    "gestation_at_birth_days",
    "birth_outcome",
    "apgar_5min",
    "first_feed",
    "skin_to_skin_1h",
    "pmh_referral",
    "pmh_referral_date",
    "pmh_referral_source",
]
NEONATAL_COLUMNS = [
    "badger_episode_id",
    "baby_nhs_number",
    "baby_local_id",
    "baby_dob",
    "baby_sex",
    "birth_weight_g",
    "gestation_weeks",
    "gestation_days",
    "admission_datetime",
    "admission_reason",
    "unit_code",
    "discharge_datetime",
    "discharge_destination",
    "days_intensive_care",
    "days_high_dependency",
    "days_special_care",
    "days_transitional_care",
    "breast_milk_at_discharge",
    "hie_grade",
    "therapeutic_hypothermia",
    "brain_injury",
    "mother_nhs_number",
    "mother_age_at_delivery",
    "mother_ethnic_category",
    "mother_language",
    "mother_postcode",
    "gp_postcode",
    "father_age",
    "father_ethnic_category",
    "father_occupation",
    "death_datetime",
]
HEALTH_VISITING_COLUMNS = [
    "contact_id",
    "child_nhs_number",
    "mother_nhs_number",
    "contact_date",
    "contact_type",
    "infant_feeding",
    "maternal_mood_screen",
    "pmh_referral",
    "pmh_referral_source",
    "language",
    "interpreter_used",
    "postcode",
]
ETHNIC = {*"ABCDEFGHJKLMNPRSZ", "99"}
REFERRAL_SOURCES = {"midwife", "gp", "obstetrician", "health_visitor", "self", "other"}
CODES: dict[str, dict[str, set[str]]] = {
    "maternity": {
        "mother_ethnic_category": ETHNIC,
        "interpreter_required": {"Y", "N"},
        "smoking_at_booking": {"current", "ex", "never", ""},
        "smoking_at_delivery": {"current", "ex", "never", ""},
        "onset_of_labour": {"spontaneous", "induced", "caesarean_before_labour"},
        "mode_of_birth": {
            "spontaneous_vaginal",
            "forceps",
            "ventouse",
            "breech_vaginal",
            "elective_caesarean",
            "emergency_caesarean",
        },
        "presentation": {"cephalic", "breech", "other"},
        "perineal_trauma": {
            "intact",
            "first_degree",
            "second_degree",
            "third_degree_3a",
            "third_degree_3b",
            "third_degree_3c",
            "fourth_degree",
            "episiotomy_only",
            "",
        },
        "baby_sex": {"male", "female", "indeterminate"},
        "birth_outcome": {"live_birth", "stillbirth_antepartum", "stillbirth_intrapartum"},
        "first_feed": {"breast_milk", "formula", "none", ""},
        "skin_to_skin_1h": {"Y", "N", ""},
        "pmh_referral": {"Y", "N", ""},
        "pmh_referral_source": REFERRAL_SOURCES | {""},
        "plurality": {"1", "2"},
    },
    "neonatal": {
        # blank while the baby is still on the unit on the extract date
        "discharge_destination": {"home", "transfer", "foster_care", "died", ""},
        "breast_milk_at_discharge": {"exclusive", "partial", "none", ""},
        "hie_grade": {"none", "mild", "moderate", "severe"},
        "therapeutic_hypothermia": {"Y", "N"},
        "brain_injury": {"none", "ivh_grade_3", "ivh_grade_4", "cystic_pvl", "hie_injury", "other"},
        "mother_ethnic_category": ETHNIC,
        "father_ethnic_category": ETHNIC | {""},
        "gestation_days": {str(d) for d in range(7)},
    },
    "health_visiting": {
        "contact_type": {
            "antenatal",
            "new_birth_visit",
            "six_to_eight_week_review",
            "one_year_review",
        },
        "infant_feeding": {"totally_breastfed", "partially_breastfed", "not_breastfed", ""},
        "maternal_mood_screen": {"positive", "negative", "not_done", ""},
        "pmh_referral": {"Y", "N", ""},
        "pmh_referral_source": REFERRAL_SOURCES | {""},
        "interpreter_used": {"Y", "N"},
    },
}
DATES = {
    "maternity": {
        "mother_dob": False,
        "booking_date": False,
        "birth_datetime": True,
        "pmh_referral_date": False,
    },
    "neonatal": {
        "baby_dob": False,
        "admission_datetime": True,
        "discharge_datetime": True,
        "death_datetime": True,
    },
    "health_visiting": {"contact_date": False},
}
NHS_NUMBERS = {
    "maternity": ("mother_nhs_number", "baby_nhs_number"),
    "neonatal": ("baby_nhs_number", "mother_nhs_number"),
    "health_visiting": ("child_nhs_number", "mother_nhs_number"),
}


def extract(data: WrittenDataSet, name: str) -> pd.DataFrame:
    return getattr(data, name)


def test_the_headers_are_the_reference_formats(clean_data: WrittenDataSet) -> None:
    assert list(clean_data.maternity.columns) == MATERNITY_COLUMNS
    assert list(clean_data.neonatal.columns) == NEONATAL_COLUMNS
    assert list(clean_data.health_visiting.columns) == HEALTH_VISITING_COLUMNS


def test_a_clean_file_is_plain_utf8_with_unix_line_endings(clean_data: WrittenDataSet) -> None:
    for name in (
        "maternity_births_v1.csv",
        "neonatal_episodes_v1.csv",
        "health_visiting_contacts_v1.csv",
    ):
        raw = (clean_data.folder / name).read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf")
        assert b"\r\n" not in raw
        assert raw.endswith(b"\n")
        assert not raw.endswith(b"\n\n")


@pytest.mark.parametrize("name", list(CODES))
def test_coded_columns_hold_only_reference_codes(clean_data: WrittenDataSet, name: str) -> None:
    frame = extract(clean_data, name)
    for column, allowed in CODES[name].items():
        assert set(frame[column]) <= allowed, column


@pytest.mark.parametrize("name", list(DATES))
def test_dates_are_iso_and_none_lies_after_the_extract_date(
    clean_data: WrittenDataSet, name: str
) -> None:
    frame = extract(clean_data, name)
    extract_date = pd.Timestamp(clean_data.truth["period"]["extract_date"]) + pd.Timedelta(days=1)
    for column, with_time in DATES[name].items():
        values = frame.loc[frame[column] != "", column]
        parsed = pd.to_datetime(values, format="%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")
        assert parsed.max() < extract_date, column


@pytest.mark.parametrize("name", list(NHS_NUMBERS))
def test_nhs_numbers_are_valid_and_from_the_test_range(
    clean_data: WrittenDataSet, name: str
) -> None:
    frame = extract(clean_data, name)
    for column in NHS_NUMBERS[name]:
        present = frame.loc[frame[column] != "", column]
        assert present.map(is_valid).all(), column
        assert present.str.startswith("999").all(), column


def test_the_unit_has_about_ten_thousand_births_a_year(clean_data: WrittenDataSet) -> None:
    per_year = clean_data.maternity.groupby(clean_data.maternity["birth_datetime"].str[:4]).size()
    assert per_year.between(9_500, 10_500).all()
    assert clean_data.maternity["baby_local_id"].is_unique


def test_twins_share_a_delivery(clean_data: WrittenDataSet) -> None:
    twins = clean_data.maternity[clean_data.maternity["plurality"] == "2"]
    per_episode = twins.groupby("episode_id")["birth_order"].apply(sorted)
    assert 200 < len(per_episode) < 700
    assert (per_episode.map(tuple) == ("1", "2")).all()
    shared = ["mother_nhs_number", "mother_dob", "delivery_site_code", "mode_of_birth"]
    assert (twins.groupby("episode_id")[shared].nunique() == 1).all().all()


def test_about_one_baby_in_ten_has_a_neonatal_episode_recorded_alike(
    clean_data: WrittenDataSet,
) -> None:
    maternity = clean_data.maternity.set_index("baby_local_id")
    neonatal = clean_data.neonatal
    assert 0.08 < len(neonatal) / len(maternity) < 0.13
    same = maternity.loc[neonatal["baby_local_id"]]
    assert (same["birth_weight_g"].to_numpy() == neonatal["birth_weight_g"].to_numpy()).all()
    assert (
        same["mother_ethnic_category"].to_numpy() == neonatal["mother_ethnic_category"].to_numpy()
    ).all()
    weeks = neonatal["gestation_weeks"].astype(int) * 7 + neonatal["gestation_days"].astype(int)
    assert (same["gestation_at_birth_days"].astype(int).to_numpy() == weeks.to_numpy()).all()
    assert (same["birth_outcome"] == "live_birth").all()


def test_only_babies_still_on_the_unit_lack_a_discharge(clean_data: WrittenDataSet) -> None:
    neonatal = clean_data.neonatal
    ongoing = neonatal[neonatal["discharge_datetime"] == ""]
    last_month = clean_data.truth["period"]["last_month"]
    assert 0 < len(ongoing) < 0.05 * len(neonatal)
    assert (ongoing["admission_datetime"] >= f"{last_month[:4]}-01-01").all()
    assert (ongoing["discharge_destination"] == "").all()
    assert (neonatal.loc[neonatal["discharge_datetime"] != "", "discharge_destination"] != "").all()


def test_most_babies_are_seen_by_health_visitors(clean_data: WrittenDataSet) -> None:
    contacts = clean_data.health_visiting
    live = clean_data.maternity[clean_data.maternity["birth_outcome"] == "live_birth"]
    visited = set(contacts.loc[contacts["contact_type"] == "new_birth_visit", "child_nhs_number"])
    reviewed = set(
        contacts.loc[contacts["contact_type"] == "six_to_eight_week_review", "child_nhs_number"]
    )
    assert len(visited & set(live["baby_nhs_number"])) / len(live) > 0.9
    assert len(reviewed & set(live["baby_nhs_number"])) / len(live) > 0.8
    assert set(contacts["child_nhs_number"]) - {""} <= set(live["baby_nhs_number"])


def test_the_city_is_diverse_with_a_long_tail(births: pd.DataFrame) -> None:
    share = births["mother_ethnic_category"].value_counts(normalize=True)
    assert set(share.index) == ETHNIC
    assert share["A"] > 0.2  # White British
    assert share[["H", "J", "K"]].sum() > 0.2  # South Asian
    assert share["N"] > 0.07  # Black African
    assert share[["B", "D", "E", "F", "R"]].max() < 0.02  # the long tail


def test_most_families_live_in_the_most_deprived_quintiles(births: pd.DataFrame) -> None:
    quintile = births["imd_quintile"].value_counts(normalize=True)
    assert quintile[[1, 2]].sum() > 0.5
    assert quintile[1] > quintile[3] > quintile[5]
    unknown = births["imd_quintile"].isna().mean()
    assert 0 < unknown < 0.02  # a few out-of-area postcodes, absent from the lookup
    assert 0 < (births["mother_postcode"] == "ZZ99 3VZ").sum() < 0.005 * len(births)


def test_languages_and_interpreter_need(births: pd.DataFrame) -> None:
    languages = set(births["mother_language"])
    assert {"en", "gu", "pa", "ur", "pl", "so", "ar", "ro"} <= languages
    needs = births.groupby(births["mother_language"] == "en")["interpreter_required"].apply(
        lambda s: (s == "Y").mean()
    )
    assert needs[False] > 0.4
    assert needs[True] < 0.01
