"""The three reference extract layouts (version 1), declared as data: for each output column, the
generator column it comes from and how it is written. Every value is written as text, so the CSV
is byte-for-byte the same for the same seed."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

Formatter = Callable[[pd.Series], pd.Series]


def text(series: pd.Series) -> pd.Series:
    return series.fillna("").astype(str)


def date(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series).dt.strftime("%Y-%m-%d").fillna("")


def date_time(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series).dt.strftime("%Y-%m-%d %H:%M").fillna("")


def integer(series: pd.Series) -> pd.Series:
    return series.astype("Float64").round().astype("Int64").astype("string").fillna("")


def one_decimal(series: pd.Series) -> pd.Series:
    values = series.astype(float)
    return pd.Series(
        np.where(np.isnan(values), "", np.char.mod("%.1f", values)), index=series.index
    )


def yes_no(series: pd.Series) -> pd.Series:
    return series.map({True: "Y", False: "N"}).fillna("")


MATERNITY_V1: dict[str, tuple[str, Formatter]] = {
    "episode_id": ("episode_id", text),
    "mother_nhs_number": ("mother_nhs_number", text),
    "mother_local_id": ("mother_local_id", text),
    "mother_dob": ("mother_dob", date),
    "mother_postcode": ("postcode", text),
    "gp_practice_code": ("gp_practice_code", text),
    "gp_postcode": ("gp_postcode", text),
    "mother_ethnic_category": ("ethnic_category", text),
    "mother_language": ("language", text),
    "interpreter_required": ("interpreter_required", yes_no),
    "booking_date": ("booking_date", date),
    "gestation_at_booking_days": ("booking_gestation_days", integer),
    "bmi_at_booking": ("bmi_at_booking", one_decimal),
    "smoking_at_booking": ("smoking_at_booking", text),
    "smoking_at_delivery": ("smoking_at_delivery", text),
    "parity": ("parity", integer),
    "delivery_site_code": ("site_code", text),
    "birth_datetime": ("birth_datetime", date_time),
    "plurality": ("plurality", integer),
    "birth_order": ("birth_order", integer),
    "onset_of_labour": ("onset_of_labour", text),
    "mode_of_birth": ("mode_of_birth", text),
    "presentation": ("presentation", text),
    "perineal_trauma": ("perineal_trauma", text),
    "blood_loss_ml": ("blood_loss_ml", integer),
    "baby_nhs_number": ("baby_nhs_number", text),
    "baby_local_id": ("baby_local_id", text),
    "baby_sex": ("baby_sex", text),
    "birth_weight_g": ("birth_weight_g", integer),
    "gestation_at_birth_days": ("gestation_days", integer),
    "birth_outcome": ("birth_outcome", text),
    "apgar_5min": ("apgar_5min", integer),
    "first_feed": ("first_feed", text),
    "skin_to_skin_1h": ("skin_to_skin_1h", text),
    "pmh_referral": ("pmh_referral", text),
    "pmh_referral_date": ("pmh_referral_date", date),
    "pmh_referral_source": ("pmh_referral_source", text),
}

NEONATAL_V1: dict[str, tuple[str, Formatter]] = {
    "badger_episode_id": ("badger_episode_id", text),
    "baby_nhs_number": ("baby_nhs_number", text),
    "baby_local_id": ("baby_local_id", text),
    "baby_dob": ("birth_datetime", date),
    "baby_sex": ("baby_sex", text),
    "birth_weight_g": ("birth_weight_g", integer),
    "gestation_weeks": ("gestation_weeks", integer),
    "gestation_days": ("gestation_extra_days", integer),
    "admission_datetime": ("admission_datetime", date_time),
    "admission_reason": ("admission_reason", text),
    "unit_code": ("unit_code", text),
    "discharge_datetime": ("discharge_datetime", date_time),
    "discharge_destination": ("discharge_destination", text),
    "days_intensive_care": ("days_intensive_care", integer),
    "days_high_dependency": ("days_high_dependency", integer),
    "days_special_care": ("days_special_care", integer),
    "days_transitional_care": ("days_transitional_care", integer),
    "breast_milk_at_discharge": ("breast_milk_at_discharge", text),
    "hie_grade": ("hie_grade", text),
    "therapeutic_hypothermia": ("therapeutic_hypothermia", text),
    "brain_injury": ("brain_injury", text),
    "mother_nhs_number": ("mother_nhs_number", text),
    "mother_age_at_delivery": ("mother_age_years", integer),
    "mother_ethnic_category": ("ethnic_category", text),
    "mother_language": ("language", text),
    "mother_postcode": ("postcode", text),
    "gp_postcode": ("gp_postcode", text),
    "father_age": ("father_age", integer),
    "father_ethnic_category": ("father_ethnic_category", text),
    "father_occupation": ("father_occupation", text),
    "death_datetime": ("death_datetime", date_time),
}

HEALTH_VISITING_V1: dict[str, tuple[str, Formatter]] = {
    "contact_id": ("contact_id", text),
    "child_nhs_number": ("child_nhs_number", text),
    "mother_nhs_number": ("mother_nhs_number", text),
    "contact_date": ("contact_date", date),
    "contact_type": ("contact_type", text),
    "infant_feeding": ("infant_feeding", text),
    "maternal_mood_screen": ("maternal_mood_screen", text),
    "pmh_referral": ("pmh_referral", text),
    "pmh_referral_source": ("pmh_referral_source", text),
    "language": ("language", text),
    "interpreter_used": ("interpreter_used", text),
    "postcode": ("contact_postcode", text),
}

# The file names and the column that identifies a row in each (for the defect manifest).
EXTRACTS: dict[str, tuple[str, dict[str, tuple[str, Formatter]], str]] = {
    "maternity": ("maternity_births_v1.csv", MATERNITY_V1, "baby_local_id"),
    "neonatal": ("neonatal_episodes_v1.csv", NEONATAL_V1, "badger_episode_id"),
    "health_visiting": ("health_visiting_contacts_v1.csv", HEALTH_VISITING_V1, "contact_id"),
}


def render(frame: pd.DataFrame, layout: dict[str, tuple[str, Formatter]]) -> pd.DataFrame:
    """The extract as text columns, in the layout's order."""
    return pd.DataFrame(
        {
            column: formatter(frame[source]).to_numpy()
            for column, (source, formatter) in layout.items()
        }
    )
