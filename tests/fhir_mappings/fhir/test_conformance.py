"""The product's own conformance rules: what the builders write passes them, and each rule
catches what it is for, naming the element."""

from __future__ import annotations

from typing import Any

import pytest

from fhir_mappings.fhir import codes
from fhir_mappings.fhir.conformance import check_resource
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
