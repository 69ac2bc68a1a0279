"""At --defect-rate 0.05 every real-world defect of `source-extracts.md` is planted, each is
really wrong in the file, the manifest says where, and the rows it does not name are clean."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from fhir_mappings.nhs_number import is_valid
from tests.fhir_mappings.synthetic.conftest import WrittenDataSet

ROW_KINDS = {
    "maternity": {
        "blank_mandatory_field",
        "nhs_number_check_digit",
        "date_other_format",
        "date_in_future",
        "weight_in_kilograms",
        "weight_in_pounds",
        "gestation_weeks_in_days_field",
        "stillbirth_with_apgar",
        "implausible_weight_for_gestation",
        "duplicate_row",
    },
    "neonatal": {
        "blank_mandatory_field",
        "nhs_number_check_digit",
        "date_other_format",
        "date_in_future",
        "weight_in_kilograms",
        "weight_in_pounds",
        "duplicate_row",
        "cross_source_birth_weight",
        "cross_source_gestation",
        "cross_source_ethnicity",
    },
    "health_visiting": {
        "blank_mandatory_field",
        "nhs_number_check_digit",
        "date_other_format",
        "date_in_future",
        "duplicate_row",
    },
}
FILES = {
    "maternity": "maternity_births_v1.csv",
    "neonatal": "neonatal_episodes_v1.csv",
    "health_visiting": "health_visiting_contacts_v1.csv",
}
KEYS = {
    "maternity": "baby_local_id",
    "neonatal": "badger_episode_id",
    "health_visiting": "contact_id",
}
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}( \d{2}:\d{2})?$")


@pytest.fixture(scope="module")
def manifest(defective_data: WrittenDataSet) -> pd.DataFrame:
    return defective_data.read("defects.csv")


def rows_of(manifest: pd.DataFrame, extract: str, kind: str) -> pd.DataFrame:
    return manifest[(manifest["extract"] == extract) & (manifest["kind"] == kind)]


def cells(frame: pd.DataFrame, planted: pd.DataFrame) -> list[str]:
    """The values now in the file at the manifest's rows and columns."""
    return [
        frame.at[int(row) - 1, column]
        for row, column in zip(planted["row_number"], planted["column"], strict=True)
    ]


@pytest.mark.parametrize("extract", list(ROW_KINDS))
def test_every_defect_kind_appears_in_every_extract(
    defective_data: WrittenDataSet, manifest: pd.DataFrame, extract: str
) -> None:
    planted = manifest[manifest["extract"] == extract]
    assert set(planted["kind"]) == ROW_KINDS[extract]
    rows = len(getattr(defective_data, extract))
    assert 0.04 < len(planted) / rows < 0.06
    assert planted["row_number"].is_unique  # one defect per row


@pytest.mark.parametrize("extract", list(ROW_KINDS))
def test_the_manifest_points_at_the_rows_and_values_in_the_file(
    defective_data: WrittenDataSet, manifest: pd.DataFrame, extract: str
) -> None:
    frame = getattr(defective_data, extract).rename(columns={"hie_grade_sarnat": "hie_grade"})
    planted = manifest[(manifest["extract"] == extract) & (manifest["column"] != "")]
    keys = frame[KEYS[extract]].to_numpy()
    assert [keys[int(r) - 1] for r in planted["row_number"]] == planted["key"].tolist()
    assert cells(frame, planted) == planted["defective_value"].tolist()
    assert (planted["clean_value"] != planted["defective_value"]).all()


@pytest.mark.parametrize("extract", list(ROW_KINDS))
def test_each_defect_is_really_wrong(
    defective_data: WrittenDataSet, manifest: pd.DataFrame, extract: str
) -> None:
    frame = getattr(defective_data, extract)
    extract_date = defective_data.truth["period"]["extract_date"]
    for kind in ROW_KINDS[extract] - {"duplicate_row"}:
        planted = rows_of(manifest, extract, kind)
        values = pd.Series(cells(frame, planted), dtype=str)
        clean = planted["clean_value"].reset_index(drop=True)
        if kind == "blank_mandatory_field":
            assert (values == "").all()
        elif kind == "nhs_number_check_digit":
            assert not values.map(is_valid).any()
            assert (values.str.len() == 10).all()
        elif kind == "date_other_format":
            assert not values.str.match(ISO).any()
            assert values.str.match(r"^\d{2}/\d{2}/\d{4}").all()
        elif kind == "date_in_future":
            assert (values.str[:10] > extract_date).all()
        elif kind == "weight_in_kilograms":
            assert values.astype(float).between(0.2, 6).all()
        elif kind == "weight_in_pounds":
            assert values.astype(float).between(0.5, 13).all()
            assert (values.astype(float) * 453.59237 - clean.astype(float)).abs().max() < 50
        elif kind == "gestation_weeks_in_days_field":
            assert values.astype(int).between(22, 45).all()
        elif kind == "stillbirth_with_apgar":
            rows = planted["row_number"].astype(int) - 1
            assert (frame.loc[rows, "birth_outcome"] == "stillbirth_antepartum").all()
            assert (frame.loc[rows, "apgar_5min"] != "").all()
        elif kind == "implausible_weight_for_gestation":
            rows = planted["row_number"].astype(int) - 1
            assert values.astype(int).between(450, 550).all()
            assert (frame.loc[rows, "gestation_at_birth_days"].astype(int) >= 280).all()
        elif kind.startswith("cross_source_"):
            assert (values != clean).all()
        else:
            pytest.fail(f"no check for {kind}")


@pytest.mark.parametrize("extract", list(ROW_KINDS))
def test_duplicates_are_exact_copies_of_earlier_rows(
    defective_data: WrittenDataSet, manifest: pd.DataFrame, extract: str
) -> None:
    frame = getattr(defective_data, extract)
    duplicates = rows_of(manifest, extract, "duplicate_row")
    copies = frame.iloc[duplicates["row_number"].astype(int) - 1]
    originals = duplicates["defective_value"].str.extract(r"copy of row (\d+)")[0].astype(int)
    assert (copies.to_numpy() == frame.iloc[originals - 1].to_numpy()).all()
    assert frame.duplicated().sum() == len(duplicates)


def test_rows_the_manifest_does_not_name_are_clean(
    defective_data: WrittenDataSet, manifest: pd.DataFrame
) -> None:
    maternity = defective_data.maternity
    named = set(manifest.loc[manifest["extract"] == "maternity", "row_number"].astype(int) - 1)
    unnamed = maternity.drop(index=list(named))
    for column in ("mother_nhs_number", "baby_nhs_number"):
        present = unnamed.loc[unnamed[column] != "", column]
        assert present.map(is_valid).all()
    assert unnamed["birth_datetime"].str.match(ISO).all()
    assert unnamed["birth_weight_g"].str.fullmatch(r"\d+").all()
    assert (unnamed["gestation_at_birth_days"].astype(int) >= 154).all()


def test_the_same_baby_disagrees_between_systems_only_where_planted(
    defective_data: WrittenDataSet, manifest: pd.DataFrame
) -> None:
    maternity = defective_data.maternity.drop_duplicates().set_index("baby_local_id")
    neonatal = defective_data.neonatal
    named = set(manifest["key"])  # defective on either side
    clean = neonatal[
        ~neonatal["badger_episode_id"].isin(named) & ~neonatal["baby_local_id"].isin(named)
    ]
    same = maternity.loc[clean["baby_local_id"]]
    assert (same["birth_weight_g"].to_numpy() == clean["birth_weight_g"].to_numpy()).all()
    assert (
        same["mother_ethnic_category"].to_numpy() == clean["mother_ethnic_category"].to_numpy()
    ).all()

    for kind, column in (
        ("cross_source_birth_weight", "birth_weight_g"),
        ("cross_source_ethnicity", "mother_ethnic_category"),
    ):
        disagreeing = neonatal[
            neonatal["badger_episode_id"].isin(rows_of(manifest, "neonatal", kind)["key"])
        ]
        disagreeing = disagreeing[~disagreeing["baby_local_id"].isin(named)]
        babies = maternity.loc[disagreeing["baby_local_id"]]
        assert (babies[column].to_numpy() != disagreeing[column].to_numpy()).all()


def test_file_level_defects(defective_data: WrittenDataSet) -> None:
    maternity = (defective_data.folder / FILES["maternity"]).read_bytes()
    neonatal = (defective_data.folder / FILES["neonatal"]).read_bytes()
    visits = (defective_data.folder / FILES["health_visiting"]).read_bytes()

    assert maternity.startswith(b"\xef\xbb\xbfepisode_id,")
    assert neonatal.count(b"\r\n") == neonatal.count(b"\n") > 1
    assert visits.endswith(b"\n\n")
    header = neonatal.split(b"\r\n", 1)[0].decode().split(",")
    assert "hie_grade_sarnat" in header
    assert "hie_grade" not in header
    assert defective_data.truth["defects"]["file_defects"]["neonatal"][-1] == {
        "kind": "renamed_column",
        "from": "hie_grade",
        "to": "hie_grade_sarnat",
    }


def test_truth_counts_match_the_manifest(
    defective_data: WrittenDataSet, manifest: pd.DataFrame
) -> None:
    for extract, counts in defective_data.truth["defects"]["by_extract"].items():
        assert counts == manifest[manifest["extract"] == extract]["kind"].value_counts().to_dict()
