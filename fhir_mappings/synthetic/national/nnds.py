"""Neonatal reference rows (one per unit episode, as `neonatal_episodes_v1` reads them) rewritten
as a BadgerNet National Neonatal Data Set extract: NNUEpisodes, and NNUDailyData with one row per
day of care at its BAPM 2011 level (intensive, high dependency, special, then transitional care,
in that order from admission), whose counts the mapping reads back as the days at each level."""

from __future__ import annotations

from typing import cast

import pandas as pd

from fhir_mappings.mapping.model import default_mapping, national_mapping
from fhir_mappings.synthetic.national.writing import inverse_codes

LEVELS = (
    ("days_intensive_care", "1"),
    ("days_high_dependency", "2"),
    ("days_special_care", "3"),
    ("days_transitional_care", "4"),
)
SAME = {
    "BadgerUniqueID": "badger_episode_id",
    "NationalIDBaby": "baby_nhs_number",
    "HospitalIDBaby": "baby_local_id",
    "Birthweight": "birth_weight_g",
    "GestationWeeks": "gestation_weeks",
    "GestationDays": "gestation_days",
    "AdmitTime": "admission_datetime",
    "AdmitPrincipalReason": "admission_reason",
    "ProviderNHSCode": "unit_code",
    "DischTime": "discharge_datetime",
    "FeedingAtDischarge": "breast_milk_at_discharge",
    "HIEGrade": "hie_grade",
    "TherapeuticHypothermia": "therapeutic_hypothermia",
    "BrainInjury": "brain_injury",
    "NationalIDMother": "mother_nhs_number",
    "MumAge": "mother_age_at_delivery",
    "MumEthnicGroup": "mother_ethnic_category",
    "MumLanguage": "mother_language",
    "PostCodeMother": "mother_postcode",
    "GPPostCode": "gp_postcode",
    "FatherAge": "father_age",
    "FatherEthnicGroup": "father_ethnic_category",
    "FatherOccupation": "father_occupation",
    "DeathTime": "death_datetime",
}


def nnds_tables(episodes: pd.DataFrame) -> dict[str, pd.DataFrame]:
    code = inverse_codes(national_mapping("nnds"))
    # The reference extract's column names before a system upgrade, as its mapping's aliases.
    renamed = {
        alias: column
        for column, mapped in default_mapping("neonatal").columns.items()
        for alias in mapped.aliases
    }
    frame = episodes.rename(columns=renamed).fillna("").astype(str)
    rows = cast(list[dict[str, str]], frame.to_dict("records"))
    episode_rows, daily_rows = [], []
    for episode in rows:
        written = {national: episode[reference] for national, reference in SAME.items()}
        birth = episode["baby_dob"]
        written["BirthTimeBaby"] = f"{birth} 00:00" if len(birth) == 10 else birth
        written["Sex"] = code["sex"].get(episode["baby_sex"], episode["baby_sex"])
        destination = episode["discharge_destination"]
        written["DischargeDestination"] = code["discharge_destination"].get(
            destination, destination
        )
        episode_rows.append(written)
        daily_rows += _days(episode)
    daily = pd.DataFrame(daily_rows, columns=["BadgerUniqueID", "CareDate", "bapm2011"])
    return {"NNUEpisodes": pd.DataFrame(episode_rows), "NNUDailyData": daily}


def _days(episode: dict[str, str]) -> list[dict[str, str]]:
    counts = [(level, _whole(episode[column])) for column, level in LEVELS]
    if all(n is None for _, n in counts):
        return []  # nothing recorded: the counts read back blank, as the reference row has them
    start = pd.to_datetime(episode["admission_datetime"][:10], format="%Y-%m-%d", errors="coerce")
    day, rows = 0, []
    for level, n in counts:
        for _ in range(n or 0):
            when = (start + pd.Timedelta(days=day)).date().isoformat() if pd.notna(start) else ""
            rows.append(
                {
                    "BadgerUniqueID": episode["badger_episode_id"],
                    "CareDate": when,
                    "bapm2011": level,
                }
            )
            day += 1
    return rows


def _whole(text: str) -> int | None:
    try:
        return int(float(text))
    except ValueError:
        return None
