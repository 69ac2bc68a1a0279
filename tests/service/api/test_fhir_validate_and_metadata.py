"""`$validate` on a type and an instance, and the CapabilityStatement: generated from what is
implemented, so every advertised search parameter is one the search tests exercise."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi.testclient import TestClient

from service.search.definitions import search_parameters
from tests.service.api import fhir_examples as ex
from tests.service.conftest import FHIR_JSON, assert_outcome


def validate(client: TestClient, path: str, body: Any) -> dict[str, Any]:
    response = client.post(path, content=orjson.dumps(body), headers={"content-type": FHIR_JSON})
    assert response.status_code == 200, response.text
    outcome: dict[str, Any] = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    return outcome


def problems(outcome: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (issue["severity"], issue.get("expression", [""])[0])
        for issue in outcome["issue"]
        if issue["severity"] != "information"
    ]


def test_a_valid_resource_has_no_problems(api: TestClient) -> None:
    outcome = validate(api, "/fhir/Patient/$validate", ex.MOTHER)
    assert problems(outcome) == []
    assert outcome["issue"][0]["severity"] == "information"


def test_every_problem_is_listed_with_its_element(api: TestClient) -> None:
    bad = {
        **ex.MOTHER,
        "gender": "F",
        "identifier": [{"system": ex.NHS, "value": "1234567890"}],
        "birthDate": "12/04/1990",
    }
    outcome = validate(api, "/fhir/Patient/$validate", bad)
    assert sorted(problems(outcome)) == [
        ("error", "Patient.birthDate"),
        ("error", "Patient.gender"),
        ("error", "Patient.identifier[0].value"),
    ]


def test_references_to_what_is_not_stored_are_warnings(api: TestClient) -> None:
    api.put("/fhir/Patient/b1", content=orjson.dumps(ex.BABY), headers={"content-type": FHIR_JSON})
    outcome = validate(api, "/fhir/Observation/$validate", ex.BIRTH_WEIGHT)
    assert problems(outcome) == [("warning", "Observation.encounter.reference")]


def test_parameters_and_instance_modes(api: TestClient) -> None:
    parameters = {
        "resourceType": "Parameters",
        "parameter": [
            {"name": "resource", "resource": ex.BABY},
            {"name": "mode", "valueCode": "update"},
        ],
    }
    assert problems(validate(api, "/fhir/Patient/b1/$validate", parameters)) == []
    assert problems(validate(api, "/fhir/Patient/other/$validate", parameters)) == [
        ("error", "Patient.id")
    ]
    deleting = validate(api, "/fhir/Patient/nobody/$validate?mode=delete", {})
    assert problems(deleting) == [("error", "Patient")]
    assert_outcome(api.get("/fhir/Patient/nobody/$validate"), 404, "not-found")


def test_the_capability_statement_says_what_is_implemented(api: TestClient) -> None:
    statement = api.get("/fhir/metadata", headers={"authorization": ""}).json()

    assert statement["resourceType"] == "CapabilityStatement"
    assert statement["fhirVersion"] == "4.0.1"
    rest = statement["rest"][0]
    by_type = {r["type"]: r for r in rest["resource"]}
    for resource_type, parameters in search_parameters().items():
        advertised = {p["name"]: p["type"] for p in by_type[resource_type]["searchParam"]}
        assert advertised == {name: p.type for name, p in parameters.items()}
    interactions = {i["code"] for i in by_type["Observation"]["interaction"]}
    assert interactions == {
        "read",
        "vread",
        "update",
        "create",
        "delete",
        "history-instance",
        "history-type",
        "search-type",
    }
    assert {i["code"] for i in by_type["AuditEvent"]["interaction"]} == {
        "read",
        "vread",
        "history-instance",
        "history-type",
        "search-type",
    }
    assert "RelatedPerson:patient" in by_type["Patient"]["searchRevInclude"]
    assert "Observation:subject" in by_type["Observation"]["searchInclude"]
    assert {o["name"] for o in by_type["Patient"].get("operation", [])} >= {"validate"}
    assert [o["name"] for o in by_type["Measure"]["operation"]] == ["evaluate-measure"]
    assert {i["code"] for i in rest["interaction"]} == {"transaction", "batch"}
    assert by_type["CodeSystem"]["interaction"] == [{"code": "read"}]
