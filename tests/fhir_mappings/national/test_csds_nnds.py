"""CSDS and National Neonatal Data Set tables read as records: the person at a contact is the
mother antenatally and the child after, only attended health-visitor reviews are read (the rest
counted), NHS England's breastfeeding classes, days at each level of care counted from the daily
rows, and an NNDS extract with no submission header."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from fhir_mappings.mapping.model import national_mapping
from fhir_mappings.national.tables import read_folder
from fhir_mappings.row_pipeline import RowOutcome, plan_national, row_outcomes
from fhir_mappings.synthetic.national.csds import csds_tables
from fhir_mappings.synthetic.national.nnds import nnds_tables
from fhir_mappings.synthetic.national.writing import write_tables

MOTHER, CHILD = "9999231888", "9999547702"  # valid synthetic NHS numbers
CONTACT: dict[str, Any] = {
    "contact_id": "HV1",
    "child_nhs_number": CHILD,
    "mother_nhs_number": "",
    "contact_date": "2026-03-02",
    "contact_type": "six_to_eight_week_review",
    "infant_feeding": "partially_breastfed",
    "postcode": "QX5 6GB",
}
EPISODE: dict[str, Any] = {
    "badger_episode_id": "BN1",
    "baby_nhs_number": CHILD,
    "baby_local_id": "RB1",
    "baby_dob": "2026-01-01",
    "baby_sex": "female",
    "birth_weight_g": "1903",
    "gestation_weeks": "33",
    "gestation_days": "5",
    "admission_datetime": "2026-01-01 03:11",
    "admission_reason": "prematurity",
    "unit_code": "ZZ101-NICU",
    "discharge_datetime": "2026-01-28 05:33",
    "discharge_destination": "home",
    "days_intensive_care": "1",
    "days_high_dependency": "2",
    "days_special_care": "21",
    "days_transitional_care": "3",
    "breast_milk_at_discharge": "partial",
    "hie_grade": "none",
    "therapeutic_hypothermia": "N",
    "brain_injury": "none",
    "mother_nhs_number": MOTHER,
    "mother_age_at_delivery": "30",
    "mother_ethnic_category": "A",
    "mother_language": "en",
    "mother_postcode": "QX5 6GB",
    "gp_postcode": "QX3 4GE",
    "father_age": "34",
    "father_ethnic_category": "A",
    "father_occupation": "Factory worker",
    "death_datetime": "",
}


def outcomes(dataset: str, folder: Path) -> tuple[list[RowOutcome], tuple[str, ...]]:
    mapping = national_mapping(dataset)
    contents = read_folder(folder, mapping.national.tables)  # type: ignore[union-attr]
    plan = plan_national(folder, mapping, contents.tables, today=date(2027, 1, 1))
    return list(row_outcomes(plan)), plan.notes


def accepted(results: list[RowOutcome]) -> dict[str, dict[str, object]]:
    assert all(o.status == "accepted" for o in results), [o.findings for o in results]
    return {str(o.key): o.record for o in results}


def test_the_person_is_the_mother_antenatally_and_the_child_after(tmp_path: Path) -> None:
    contacts = pd.DataFrame(
        [
            {**CONTACT, "contact_id": "HV1", "contact_type": "antenatal", "infant_feeding": "",
             "child_nhs_number": "", "mother_nhs_number": MOTHER, "contact_date": "2025-12-01"},
            {**CONTACT, "contact_id": "HV2"},
        ]
    )  # fmt: skip
    write_tables(csds_tables(contacts), tmp_path)
    records = accepted(outcomes("csds", tmp_path)[0])
    antenatal, review = records["ZZ3-HV1"], records["ZZ3-HV2"]
    assert (antenatal["mother.nhs_number"], antenatal.get("child.nhs_number")) == (MOTHER, None)
    assert (review.get("mother.nhs_number"), review["child.nhs_number"]) == (None, CHILD)
    assert antenatal["contact.type"] == "antenatal"
    assert review["contact.type"] == "six_to_eight_week_review"
    assert review["contact.infant_feeding"] == "partially_breastfed"
    assert review["contact.date"] == date(2026, 3, 2)


def test_nhs_englands_breastfeeding_classes_read_from_snomed_findings(tmp_path: Path) -> None:
    findings = {"HV1": "169741004", "HV2": "169743001", "HV3": "169744007", "HV4": "22298006"}
    contacts = pd.DataFrame([{**CONTACT, "contact_id": c} for c in findings])
    tables = csds_tables(contacts)
    tables["CYP202CareActivity"]["CodedFinding"] = tables["CYP202CareActivity"][
        "CareContactID"
    ].map(findings)
    write_tables(tables, tmp_path)
    records = accepted(outcomes("csds", tmp_path)[0])
    feeding = {key: r.get("contact.infant_feeding") for key, r in records.items()}
    # B1 totally, B2 partially, B3 not breastfed; a finding of another kind says nothing.
    assert feeding == {
        "ZZ3-HV1": "totally_breastfed",
        "ZZ3-HV2": "partially_breastfed",
        "ZZ3-HV3": "not_breastfed",
        "ZZ3-HV4": None,
    }


def test_missed_and_non_health_visiting_contacts_are_counted_not_quarantined(
    tmp_path: Path,
) -> None:
    contacts = pd.DataFrame([{**CONTACT, "contact_id": f"HV{n}"} for n in (1, 2, 3)])
    tables = csds_tables(contacts)
    tables["CYP201CareContact"].loc[1, "AttendanceStatus"] = "7"  # did not attend
    tables["CYP202CareActivity"].loc[2, "CommunityCareActivityType"] = "01"  # not a HV review
    write_tables(tables, tmp_path)
    results, notes = outcomes("csds", tmp_path)
    assert sorted(accepted(results)) == ["ZZ3-HV1"]
    assert any(note.startswith("2 CYP201CareContact rows are not read") for note in notes)


def test_a_superseded_csds_submission_is_not_read(tmp_path: Path) -> None:
    write_tables(csds_tables(pd.DataFrame([CONTACT]), resubmitted=["2026-03"]), tmp_path)
    results, notes = outcomes("csds", tmp_path)
    # The first submission of March had no feeding findings; the later one does.
    assert accepted(results)["ZZ3-HV1"]["contact.infant_feeding"] == "partially_breastfed"
    assert any("submission 500001 is superseded" in note for note in notes)


def test_days_at_each_level_of_care_are_counted_from_the_daily_rows(tmp_path: Path) -> None:
    tables = nnds_tables(pd.DataFrame([EPISODE]))
    assert len(tables["NNUDailyData"]) == 27
    write_tables(tables, tmp_path)
    (result,), notes = outcomes("nnds", tmp_path)
    record = accepted([result])["BN1"]
    days = [record[f"episode.days_{level}"] for level in
            ("intensive_care", "high_dependency", "special_care", "transitional_care")]  # fmt: skip
    assert days == [1, 2, 21, 3]
    assert record["episode.discharge_destination"] == "home"
    assert record["baby.birth_date"] == date(2026, 1, 1)
    assert {o.table for o in result.origin} == {"NNUEpisodes", "NNUDailyData"}
    assert notes == ()


def test_an_episode_with_no_daily_rows_has_its_days_unknown_not_zero(tmp_path: Path) -> None:
    tables = nnds_tables(pd.DataFrame([EPISODE]))
    tables["NNUDailyData"] = tables["NNUDailyData"].iloc[0:0]
    write_tables(tables, tmp_path)
    record = accepted(outcomes("nnds", tmp_path)[0])["BN1"]
    assert record.get("episode.days_special_care") is None


def test_an_nnds_daily_row_of_no_episode_is_an_orphan_in_quarantine(tmp_path: Path) -> None:
    tables = nnds_tables(pd.DataFrame([EPISODE]))
    tables["NNUDailyData"].loc[0, "BadgerUniqueID"] = "BN404"
    write_tables(tables, tmp_path)
    results, _ = outcomes("nnds", tmp_path)
    refused = [o for o in results if o.status != "accepted"]
    assert len(refused) == 1
    (finding,) = refused[0].findings
    assert finding.rule == "orphan_row"
    assert finding.message.startswith("NNUDailyData.csv row 1: BadgerUniqueID matches no")
