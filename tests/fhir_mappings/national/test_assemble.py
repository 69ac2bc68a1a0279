"""The MSDS tables read as records: joins by either kind of key, the latest submission only,
care activities picked by SNOMED CT code, and every bad row refused with a finding that names
its table, file, row and field."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from fhir_mappings.extract_file import ExtractFileError
from fhir_mappings.mapping.model import national_mapping
from fhir_mappings.national.tables import read_folder
from fhir_mappings.row_pipeline import RowOutcome, plan_national, row_outcomes
from tests.fhir_mappings.national.msds_births import births, write_folder

MSDS = national_mapping("msds")


def outcomes(folder: Path) -> tuple[list[RowOutcome], tuple[str, ...]]:
    contents = read_folder(folder, MSDS.national.tables)  # type: ignore[union-attr]
    plan = plan_national(folder, MSDS, contents.tables, today=date(2027, 1, 1))
    return list(row_outcomes(plan)), plan.notes


def one_birth_with(folder: Path, **baby: str) -> None:
    """A folder of one birth whose MSD401 row holds these values."""
    tables = write_folder(folder, births({}))
    table = tables["MSD401BabyDemographics"].assign(**baby)
    table.to_csv(folder / "MSD401BabyDemographics.csv", index=False)


def accepted(results: list[RowOutcome]) -> dict[str, dict[str, object]]:
    return {str(o.key): o.record for o in results if o.status == "accepted"}


def test_a_birth_reads_back_as_the_reference_row_it_was_written_from(tmp_path: Path) -> None:
    write_folder(tmp_path, births({"perineal_trauma": "third_degree_3b", "blood_loss_ml": "1650"}))
    (result,), _ = outcomes(tmp_path)
    assert result.status == "accepted", result.findings
    record = result.record
    assert record["baby.local_id"] == "ZZ1-B1"  # a local id is unique within its provider only
    assert record["mother.local_id"] == "ZZ1-M1"
    assert record["delivery.perineal_trauma"] == "third_degree"  # MSDS holds no subgrade
    assert record["delivery.blood_loss_ml"] == 1650
    assert record["baby.apgar_5min"] == 9
    assert record["mother.gp_practice_code"] == "Z99001"
    # "Never smoked" at the booking contact; no labour or caesarean date to find a status
    # near, so none at delivery, as NHS England's derivation has it.
    assert record["pregnancy.smoking_at_booking_derived"] == "non_smoker_or_ex_smoker"
    assert record.get("pregnancy.smoking_at_delivery_derived") is None
    assert str(record["baby.birth_datetime"]) == "2026-08-14 10:20:00"
    assert {o.table for o in result.origin} == {
        "MSD401BabyDemographics",
        "MSD301LabourDelivery",
        "MSD101PregnancyBooking",
        "MSD001MotherDemog",
        "MSD302CareActivityLabDel",
        "MSD405CareActivityBaby",
        "MSD002GP",
        "MSD201CareContactPreg",  # the booking contact whose finding gave the smoking status
        "MSD202CareActivityPreg",
    }


def test_pseudonymous_keys_join_as_local_ones_do(tmp_path: Path) -> None:
    tables = write_folder(tmp_path, births({}, {}))
    renames = {
        "LPIDMother": "Person_ID_Mother",
        "LPIDBaby": "Person_ID_Baby",
        "PregnancyID": "UniqPregID",
    }
    for name, frame in tables.items():
        frame = frame.rename(columns=renames)
        if "LabourDeliveryID" in frame and name != "MSD301LabourDelivery":
            frame = frame.rename(columns={"LabourDeliveryID": "UniqPregID"})
        elif name == "MSD301LabourDelivery":
            frame = frame.drop(columns="LabourDeliveryID")
        frame.to_csv(tmp_path / f"{name}.csv", index=False)
    results, _ = outcomes(tmp_path)
    assert sorted(accepted(results)) == ["ZZ1-B1", "ZZ1-B2"]


def test_only_the_latest_submission_of_a_period_counts(tmp_path: Path) -> None:
    write_folder(tmp_path, births({"blood_loss_ml": "1550"}), resubmitted=[("ZZ1", "2026-08")])
    results, notes = outcomes(tmp_path)
    # The superseded submission recorded 100 ml less; only the later one is read.
    assert [o.record["delivery.blood_loss_ml"] for o in results] == [1550]
    assert any("submission 100001 is superseded" in note for note in notes)


def test_a_resubmission_of_the_same_facts_keeps_each_records_digest(tmp_path: Path) -> None:
    write_folder(tmp_path / "first", births({}, {}))
    write_folder(tmp_path / "again", births({}, {}), first_id=200_001)
    first, _ = outcomes(tmp_path / "first")
    again, _ = outcomes(tmp_path / "again")
    assert [o.row_sha256 for o in first] == [o.row_sha256 for o in again]


def test_a_record_sent_again_in_a_later_month_is_read_once_from_the_latest(
    tmp_path: Path,
) -> None:
    tables = write_folder(tmp_path, births({}))
    later = {name: frame.copy() for name, frame in tables.items()}
    later["MSD000Header"] = later["MSD000Header"].assign(
        RPStartDate="2026-09-01", RPEndDate="2026-09-30", UniqSubmissionID="100009"
    )
    for name, frame in later.items():
        if name != "MSD000Header":
            frame["UniqSubmissionID"] = "100009"
    later["MSD405CareActivityBaby"]["ApgarScore"] = "8"  # corrected in September
    for name in tables:
        pd.concat([tables[name], later[name]]).to_csv(tmp_path / f"{name}.csv", index=False)
    results, notes = outcomes(tmp_path)
    assert [o.record["baby.apgar_5min"] for o in results] == [8]
    assert any("latest period's is read" in note for note in notes)


def test_an_orphan_row_is_quarantined_naming_its_table_file_and_row(tmp_path: Path) -> None:
    tables = write_folder(tmp_path, births({}, {}))
    baby = tables["MSD401BabyDemographics"]
    baby.loc[1, "LabourDeliveryID"] = "E-none"
    baby.to_csv(tmp_path / "MSD401BabyDemographics.csv", index=False)
    results, _ = outcomes(tmp_path)
    assert sorted(accepted(results)) == ["ZZ1-B1"]
    (orphan,) = [o for o in results if o.status == "quarantined"]
    (finding,) = orphan.findings
    assert finding.rule == "orphan_row"
    assert finding.column == "MSD401BabyDemographics.LabourDeliveryID"
    assert finding.message.startswith("MSD401BabyDemographics.csv row 2: ")
    assert orphan.raw["MSD401BabyDemographics.LabourDeliveryID"] == "E-none"  # nothing lost


def test_a_birth_after_its_reporting_period_is_an_error(tmp_path: Path) -> None:
    one_birth_with(tmp_path, PersonBirthDateBaby="2026-09-02")
    (result,), _ = outcomes(tmp_path)
    assert result.status == "quarantined"
    (finding,) = [f for f in result.findings if f.rule == "outside_reporting_period"]
    assert finding.column == "MSD401BabyDemographics.PersonBirthDateBaby"
    assert "MSD401BabyDemographics.csv row 1" in finding.message
    assert "2026-08-31" in finding.message


def test_a_code_outside_its_value_set_is_blanked_with_a_warning(tmp_path: Path) -> None:
    one_birth_with(tmp_path, BabyFirstFeedIndCode="99")
    (result,), _ = outcomes(tmp_path)
    assert result.status == "accepted"
    assert result.record["baby.first_feed"] is None
    (finding,) = result.findings
    assert (finding.rule, finding.severity) == ("code_list", "warning")
    assert finding.message.startswith("MSD401BabyDemographics.csv row 1: '99' is not in")


def test_a_required_code_outside_its_value_set_quarantines(tmp_path: Path) -> None:
    one_birth_with(tmp_path, PregOutcome="07")
    (result,), _ = outcomes(tmp_path)
    assert result.status == "quarantined"
    assert [f.column for f in result.findings] == ["MSD401BabyDemographics.PregOutcome"]


def test_blood_loss_ignores_observations_outside_the_code_list(tmp_path: Path) -> None:
    tables = write_folder(tmp_path, births({"blood_loss_ml": "900"}))
    activity = tables["MSD302CareActivityLabDel"]
    extra = activity.iloc[[0]].assign(MasterSnomedCTObsCode="271649006", ObsValue="2000")
    pd.concat([activity, extra]).to_csv(tmp_path / "MSD302CareActivityLabDel.csv", index=False)
    (result,), _ = outcomes(tmp_path)
    assert result.record["delivery.blood_loss_ml"] == 900


def test_pipe_delimited_files_and_headers_in_any_case_read_the_same(tmp_path: Path) -> None:
    tables = write_folder(tmp_path / "comma", births({}, {"plurality": "2", "birth_order": "1"}))
    (tmp_path / "pipe").mkdir()
    for name, frame in tables.items():
        frame.columns = [c.upper() for c in frame.columns]
        frame.to_csv(tmp_path / "pipe" / f"{name.lower()}.txt", index=False, sep="|")
    comma, _ = outcomes(tmp_path / "comma")
    pipe, _ = outcomes(tmp_path / "pipe")
    assert accepted(comma) == accepted(pipe)
    assert len(accepted(pipe)) == 2


def test_a_folder_missing_a_required_table_loads_nothing_and_names_it(tmp_path: Path) -> None:
    write_folder(tmp_path, births({}))
    (tmp_path / "MSD301LabourDelivery.csv").unlink()
    with pytest.raises(ExtractFileError, match="lacks the required table MSD301LabourDelivery"):
        outcomes(tmp_path)


def test_other_files_in_the_folder_are_ignored_with_a_notice(tmp_path: Path) -> None:
    write_folder(tmp_path, births({}))
    (tmp_path / "MSD106DiagnosisPreg.csv").write_text("UniqSubmissionID\n100001\n")
    contents = read_folder(tmp_path, MSDS.national.tables)  # type: ignore[union-attr]
    assert contents.ignored == ["MSD106DiagnosisPreg.csv"]
