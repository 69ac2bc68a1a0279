"""The engine parses each column as its mapping says, reports each problem as a finding with a
rule, and reads an adapted extract (other names, date formats, units, local codes) without a
code change."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from fhir_mappings.extract_file import SourceRow
from fhir_mappings.mapping.engine import HeaderMismatchError, MappedRow, RowMapper
from fhir_mappings.mapping.model import default_mapping, parse_mapping

TODAY = date(2026, 1, 1)
HEADER = list(default_mapping("maternity").columns)
GOOD = {
    "episode_id": "E3-1",
    "mother_nhs_number": "9434765919",
    "mother_local_id": "RM1",
    "mother_dob": "1990-05-17",
    "mother_postcode": "qx1 2ab",
    "gp_practice_code": "Z99001",
    "gp_postcode": "QX3 3DQ",
    "mother_ethnic_category": "N",
    "mother_language": "so",
    "interpreter_required": "Y",
    "booking_date": "2024-06-03",
    "gestation_at_booking_days": "70",
    "bmi_at_booking": "31.4",
    "smoking_at_booking": "never",
    "smoking_at_delivery": "never",
    "parity": "1",
    "delivery_site_code": "ZZ101",
    "birth_datetime": "2024-12-01 14:05",
    "plurality": "1",
    "birth_order": "1",
    "onset_of_labour": "spontaneous",
    "mode_of_birth": "forceps",
    "presentation": "cephalic",
    "perineal_trauma": "third_degree_3a",
    "blood_loss_ml": "650",
    "baby_nhs_number": "4010232137",
    "baby_local_id": "RB1",
    "baby_sex": "female",
    "birth_weight_g": "3150",
    "gestation_at_birth_days": "276",
    "birth_outcome": "live_birth",
    "apgar_5min": "9",
    "first_feed": "breast_milk",
    "skin_to_skin_1h": "Y",
    "pmh_referral": "N",
    "pmh_referral_date": "",
    "pmh_referral_source": "",
}


def mapped(**changes: str) -> MappedRow:
    row = GOOD | changes
    mapper = RowMapper(default_mapping("maternity"), HEADER, today=TODAY)
    return mapper.map(SourceRow(7, tuple(row[c] for c in HEADER)))


def rules(row: MappedRow) -> list[tuple[str, str, str]]:
    return [(f.column, f.rule, f.severity) for f in row.findings]


def test_a_good_row_becomes_a_typed_record() -> None:
    row = mapped()
    assert row.findings == []
    assert row.record["baby.birth_weight_g"] == 3150
    assert row.record["baby.birth_datetime"] == datetime(2024, 12, 1, 14, 5)
    assert row.record["mother.birth_date"] == date(1990, 5, 17)
    assert row.record["mother.postcode"] == "QX1 2AB"
    assert row.record["mother.interpreter_required"] is True
    assert row.record["pregnancy.bmi_at_booking"] == pytest.approx(31.4)
    assert row.record["referral.date"] is None


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"birth_weight_g": ""}, [("birth_weight_g", "required", "error")]),
        (
            {"mother_nhs_number": "9434765918"},
            [("mother_nhs_number", "nhs_number_check_digit", "error")],
        ),
        ({"mother_nhs_number": "94347"}, [("mother_nhs_number", "nhs_number_format", "error")]),
        ({"mother_dob": "17/05/1990"}, [("mother_dob", "date_format", "error")]),
        ({"birth_datetime": "2031-12-01 14:05"}, [("birth_datetime", "future_date", "error")]),
        ({"mother_dob": "2019-05-17"}, [("mother_dob", "mother_age", "warning")]),
        ({"birth_weight_g": "3.15"}, [("birth_weight_g", "unit_suspect", "error")]),
        ({"birth_weight_g": "6.9"}, [("birth_weight_g", "unit_suspect", "error")]),
        ({"birth_weight_g": "7.4"}, [("birth_weight_g", "unit_suspect", "error")]),
        ({"birth_weight_g": "9000"}, [("birth_weight_g", "range", "error")]),
        ({"gestation_at_birth_days": "39"}, [("gestation_at_birth_days", "unit_suspect", "error")]),
        ({"apgar_5min": "11"}, [("apgar_5min", "range", "error")]),
        ({"mode_of_birth": "SVD"}, [("mode_of_birth", "code_list", "error")]),
        (
            {"birth_outcome": "stillbirth_antepartum"},
            [("apgar_5min", "stillbirth_with_apgar", "error")],
        ),
        (
            {"birth_weight_g": "500", "gestation_at_birth_days": "287"},
            [("birth_weight_g", "weight_for_gestation", "error")],
        ),
        ({"booking_date": "2024-12-05"}, [("booking_date", "booking_after_birth", "error")]),
        ({"birth_order": "2"}, [("birth_order", "birth_order", "error")]),
        (
            {"mother_postcode": "not a postcode"},
            [("mother_postcode", "postcode_format", "warning")],
        ),
        ({"interpreter_required": "maybe"}, [("interpreter_required", "code_list", "error")]),
    ],
)
def test_each_problem_is_a_finding_with_its_rule(
    changes: dict[str, str], expected: list[tuple[str, str, str]]
) -> None:
    row = mapped(**changes)
    assert rules(row) == expected
    assert row.findings[0].row == 7


def test_codes_are_matched_without_regard_to_case() -> None:
    assert mapped(mode_of_birth="Forceps").record["delivery.mode_of_birth"] == "forceps"


def test_messages_never_carry_identifiers() -> None:
    for changes in (
        {"mother_nhs_number": "9434765918"},
        {"mother_dob": "1990-13-45"},
        {"birth_datetime": "2031-12-01 14:05"},
        {"mother_postcode": "X"},
    ):
        for finding in mapped(**changes).findings:
            for value in changes.values():
                assert value not in finding.message


def test_a_missing_required_column_refuses_the_file() -> None:
    header = [c for c in HEADER if c != "birth_weight_g"]
    with pytest.raises(HeaderMismatchError, match="lacks the required column birth_weight_g"):
        RowMapper(default_mapping("maternity"), header, today=TODAY)


def test_a_missing_optional_column_is_noted_and_left_blank() -> None:
    header = [c for c in HEADER if c != "skin_to_skin_1h"]
    mapper = RowMapper(default_mapping("maternity"), header, today=TODAY)
    row = mapper.map(SourceRow(1, tuple(GOOD[c] for c in header)))
    assert row.findings == []
    assert row.record.get("baby.skin_to_skin_1h") is None
    assert mapper.notes == [
        "column skin_to_skin_1h is not in the file; baby.skin_to_skin_1h is left blank"
    ]


ADAPTED = """
source_system: maternity
name: another_trust_births
key: baby.local_id
date_format: "%d/%m/%Y"
datetime_format: "%d/%m/%Y %H:%M"
yes_values: ["Yes"]
no_values: ["No"]
code_maps:
  delivery_modes: {SVD: spontaneous_vaginal, FORC: forceps, VENT: ventouse,
                   ELCS: elective_caesarean, EMCS: emergency_caesarean}
columns:
  PregnancyID: {target: delivery.episode_id, required: true}
  MumHospNo: {target: mother.local_id, required: true}
  MumDOB: {target: mother.birth_date, required: true}
  BabyHospNo: {target: baby.local_id, required: true}
  BirthDateTime: {target: baby.birth_datetime, required: true}
  WeightKg: {target: baby.birth_weight_g, unit: kg, required: true}
  GestWeeks: {target: baby.gestation_days, unit: wk, parser: decimal}
  DeliveryMode: {target: delivery.mode_of_birth, codes: delivery_modes}
  Outcome: {target: baby.birth_outcome, codes: {LB: live_birth, SB: stillbirth_antepartum}}
  Interpreter: {target: mother.interpreter_required}
checks: [weight_for_gestation]
"""


def test_an_adapted_mapping_reads_another_trusts_extract_without_code_changes() -> None:
    mapping = parse_mapping(ADAPTED.encode(), "another_trust_births.yaml")
    header = [
        "PregnancyID",
        "MumHospNo",
        "MumDOB",
        "BabyHospNo",
        "BirthDateTime",
        "WeightKg",
        "GestWeeks",
        "DeliveryMode",
        "Outcome",
        "Interpreter",
    ]
    mapper = RowMapper(mapping, header, today=TODAY)
    row = mapper.map(
        SourceRow(
            1,
            (
                "P1",
                "M1",
                "17/05/1990",
                "B1",
                "01/12/2024 14:05",
                "3.42",
                "39.5",
                "FORC",
                "LB",
                "Yes",
            ),
        )
    )
    assert row.findings == []
    assert row.record["baby.birth_weight_g"] == 3420
    assert row.record["baby.gestation_days"] == 276  # 39.5 weeks, rounded to the day
    assert row.record["delivery.mode_of_birth"] == "forceps"
    assert row.record["mother.birth_date"] == date(1990, 5, 17)
    assert row.record["mother.interpreter_required"] is True


def test_the_reference_mapping_reads_a_renamed_column_by_its_former_name() -> None:
    mapping = default_mapping("neonatal")
    header = [("hie_grade_sarnat" if c == "hie_grade" else c) for c in mapping.columns]
    mapper = RowMapper(mapping, header, today=TODAY)
    assert mapper.notes == ["column hie_grade read from hie_grade_sarnat"]


def test_a_contact_that_names_no_one_is_warned_as_unlinkable() -> None:
    mapping = default_mapping("health_visiting")
    header = list(mapping.columns)
    values = dict.fromkeys(header, "") | {
        "contact_id": "HV1",
        "contact_date": "2024-05-01",
        "contact_type": "antenatal",
    }
    row = RowMapper(mapping, header, today=TODAY).map(
        SourceRow(3, tuple(values[c] for c in header))
    )
    assert rules(row) == [("mother_nhs_number", "unlinkable", "warning")]
