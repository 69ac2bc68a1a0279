"""The product's own conformance rules: what the builders write passes them, and each rule
catches what it is for, naming the element."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from fhir_mappings.fhir import codes
from fhir_mappings.fhir.conformance import check_resource
from fhir_mappings.fhir.naming import Naming
from fhir_mappings.mapping.model import default_mapping
from fhir_mappings.row_pipeline import build_resources, plan_extract, row_outcomes
from tests.fhir_mappings.fhir.test_golden import CASES, build_file
from tests.service.api import fhir_examples as ex


@pytest.mark.parametrize(("source", "name"), CASES.items())
def test_what_the_builders_write_conforms(source: str, name: str) -> None:
    for row in build_file(source, name):
        for resource in row["resources"]:
            assert check_resource(resource) == [], resource["resourceType"]


def test_the_examples_conform() -> None:
    for resource in ex.EVERY_TYPE:
        assert check_resource(resource) == [], resource["id"]


def ethnicity(
    code: str, system: str = "https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland"
) -> dict[str, Any]:
    return {
        "url": codes.ETHNIC_CATEGORY_EXTENSION,
        "valueCodeableConcept": {"coding": [{"system": system, "code": code}]},
    }


@pytest.mark.parametrize(
    ("resource", "code", "expression"),
    [
        ({**ex.MOTHER, "gender": "F"}, "code-invalid", "Patient.gender"),
        ({**ex.FEEDING, "status": "bogus"}, "code-invalid", "Observation.status"),
        ({**ex.REFERRAL, "intent": "wish"}, "code-invalid", "ServiceRequest.intent"),
        (
            {**ex.MOTHER, "identifier": [{"system": ex.NHS, "value": "9990000019"}]},
            "value",
            "Patient.identifier[0].value",
        ),
        (
            {**ex.FEEDING, "subject": {"reference": "Encounter/e1"}},
            "value",
            "Observation.subject.reference",
        ),
        (
            {**ex.MOTHER_OF_BABY, "patient": {"reference": "RelatedPerson/x"}},
            "value",
            "RelatedPerson.patient.reference",
        ),
        (
            {**ex.MOTHER, "extension": [ethnicity("Q")]},
            "code-invalid",
            "Patient.extension[0].valueCodeableConcept",
        ),
        (
            {**ex.MOTHER, "extension": [ethnicity("A", "http://example.org")]},
            "code-invalid",
            "Patient.extension[0].valueCodeableConcept",
        ),
        (
            {**ex.MOTHER, "extension": [{"url": codes.INTERPRETER_REQUIRED_EXTENSION}]},
            "required",
            "Patient.extension[0]",
        ),
        (
            {
                **ex.BABY,
                "_birthDate": {
                    "extension": [{"url": codes.BIRTH_TIME_EXTENSION, "valueString": "8am"}]
                },
            },
            "required",
            "Patient._birthDate.extension[0]",
        ),
        ({**ex.FEEDING, "effectiveDateTime": "soon"}, "structure", "Observation.effectiveDateTime"),
    ],
)
def test_each_rule_names_the_element(resource: dict[str, Any], code: str, expression: str) -> None:
    issues = check_resource(resource)
    assert [(i.code, i.expression) for i in issues] == [(code, expression)]
    assert issues[0].severity == "error"


def test_valid_uk_core_extensions_pass() -> None:
    patient = {
        **ex.MOTHER,
        "extension": [
            ethnicity("H"),
            {"url": codes.INTERPRETER_REQUIRED_EXTENSION, "valueBoolean": True},
        ],
    }
    assert check_resource(patient) == []


def test_an_empty_element_is_an_error_naming_it() -> None:
    provenance = {
        "resourceType": "Provenance",
        "target": [],
        "recorded": "2024-03-05T10:00:00+00:00",
        "agent": [{"who": {"display": "a test"}, "role": [{}]}],
    }
    issues = {(i.code, i.expression) for i in check_resource(provenance)}
    assert issues == {
        ("structure", "Provenance.target"),
        ("structure", "Provenance.agent[0].role[0]"),
    }


def test_a_row_with_nothing_to_record_gets_no_provenance(tmp_path: Path) -> None:
    mapping = default_mapping("health_visiting")
    header = list(mapping.columns)
    values = dict.fromkeys(header, "") | {
        "contact_id": "HV1",
        "contact_date": "2024-05-01",
        "contact_type": "antenatal",
    }
    extract = tmp_path / "contacts.csv"
    extract.write_text(",".join(header) + "\n" + ",".join(values[c] for c in header) + "\n")
    plan = plan_extract(extract, mapping, file_sha256="0" * 64, today=date(2024, 6, 1))
    (outcome,) = row_outcomes(plan)
    assert outcome.status == "accepted"
    recorded = datetime(2024, 6, 1, tzinfo=UTC)
    assert build_resources(plan, outcome, naming=Naming(), recorded=recorded) == []
