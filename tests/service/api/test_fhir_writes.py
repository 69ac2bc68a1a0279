"""Create, conditional create and update, delete and type history over `/fhir`, on SQLite and
PostgreSQL, each recorded as an AuditEvent."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from tests.service.api import fhir_examples as ex
from tests.service.conftest import FHIR_JSON, assert_outcome


def send(client: TestClient, method: str, path: str, body: Any, **headers: str) -> Any:
    return client.request(
        method, path, content=orjson.dumps(body), headers={"content-type": FHIR_JSON, **headers}
    )


def test_create_assigns_an_id_and_says_where(api: TestClient) -> None:
    created = send(api, "POST", "/fhir/Patient", {**ex.BABY, "id": "ignored"})

    assert created.status_code == 201
    new_id = created.json()["id"]
    assert new_id != "ignored"
    assert created.headers["location"].endswith(f"/fhir/Patient/{new_id}/_history/1")
    assert created.headers["etag"] == 'W/"1"'
    assert api.get(f"/fhir/Patient/{new_id}").json()["birthDate"] == "2024-03-05"


def test_conditional_create_makes_at_most_one(api: TestClient) -> None:
    condition = {"if-none-exist": "identifier=https://fhir.nhs.uk/Id/nhs-number|9990000018"}
    first = send(api, "POST", "/fhir/Patient", {**ex.MOTHER, "id": None}, **condition)
    again = send(api, "POST", "/fhir/Patient", {**ex.MOTHER, "id": None}, **condition)

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert api.get("/fhir/Patient", params={"_summary": "count"}).json()["total"] == 1

    send(api, "PUT", "/fhir/Patient/twin", {**ex.MOTHER, "id": "twin"})
    ambiguous = send(api, "POST", "/fhir/Patient", ex.MOTHER, **condition)
    assert_outcome(ambiguous, 412, "multiple-matches")


def test_conditional_update_creates_updates_or_refuses(api: TestClient) -> None:
    by_identifier = "/fhir/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|9990000018"
    mother = {key: value for key, value in ex.MOTHER.items() if key != "id"}

    created = send(api, "PUT", by_identifier, mother)
    assert created.status_code == 201
    the_id = created.json()["id"]

    updated = send(api, "PUT", by_identifier, {**mother, "gender": "other"})
    assert updated.status_code == 200
    assert updated.json()["id"] == the_id
    assert updated.headers["etag"] == 'W/"2"'

    send(api, "PUT", "/fhir/Patient/copy", {**mother, "id": "copy"})
    assert_outcome(send(api, "PUT", by_identifier, mother), 412, "multiple-matches")


def test_delete_then_gone_and_not_found_by_search(api: TestClient) -> None:
    send(api, "PUT", "/fhir/Observation/o1", ex.BIRTH_WEIGHT)

    deleted = api.delete("/fhir/Observation/o1")

    assert deleted.status_code == 204
    assert_outcome(api.get("/fhir/Observation/o1"), 410, "deleted")
    assert api.get("/fhir/Observation", params={"code": "8339-4"}).json()["total"] == 0
    history = api.get("/fhir/Observation/o1/_history").json()
    assert [e["request"]["method"] for e in history["entry"]] == ["DELETE", "POST"]
    assert api.delete("/fhir/Observation/o1").status_code == 204  # deleting again is fine
    assert api.delete("/fhir/Observation/never").status_code == 204

    recreated = send(api, "PUT", "/fhir/Observation/o1", ex.BIRTH_WEIGHT)
    assert recreated.status_code == 201
    assert recreated.headers["etag"] == 'W/"3"'


def test_type_history_pages_newest_first(api: TestClient) -> None:
    for i in range(5):
        send(api, "PUT", f"/fhir/Patient/p{i}", {**ex.BABY, "id": f"p{i}"})
    send(api, "PUT", "/fhir/Patient/p0", {**ex.BABY, "id": "p0", "gender": "female"})

    first = api.get("/fhir/Patient/_history", params={"_count": 4}).json()

    assert first["type"] == "history"
    assert first["entry"][0]["resource"]["id"] == "p0"
    assert first["entry"][0]["resource"]["meta"]["versionId"] == "2"
    next_url = next(link["url"] for link in first["link"] if link["relation"] == "next")
    rest = api.get(next_url.removeprefix("http://testserver")).json()
    seen = [(e["resource"]["id"], e["response"]["etag"]) for e in first["entry"] + rest["entry"]]
    assert len(seen) == 6
    assert len(set(seen)) == 6
    since = api.get("/fhir/Patient/_history", params={"_since": "2999-01-01"}).json()
    assert since["entry"] == []


def test_audit_events_record_writes_and_reads_of_patient_data(api: TestClient) -> None:
    send(api, "PUT", "/fhir/Patient/m1", ex.MOTHER)
    api.get("/fhir/Patient/m1")
    api.get("/fhir/Observation", params={"patient": "m1"})
    api.get("/fhir/Patient/nobody")
    api.app.state.audit.flush()  # type: ignore[attr-defined]

    bundle = api.get("/fhir/AuditEvent", params={"entity": "Patient/m1", "_count": 100}).json()
    events = [e["resource"] for e in bundle["entry"]]
    kinds = sorted((e["action"], e["subtype"][0]["code"], e["outcome"]) for e in events)
    assert kinds == [("C", "update", "0"), ("R", "read", "0")]
    failed = api.get("/fhir/AuditEvent", params={"outcome": "4"}).json()
    assert ids_of(failed) != []
    searched = api.get("/fhir/AuditEvent", params={"subtype": "search-type"}).json()
    assert len(ids_of(searched)) == 1
    for event in events:
        assert event["agent"][0]["name"].startswith("api-client-")
        assert "test-writer-token" not in orjson.dumps(event).decode()


def ids_of(bundle: dict[str, Any]) -> list[str]:
    return [e["resource"]["id"] for e in bundle.get("entry", []) if e["search"]["mode"] == "match"]


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("POST", "/fhir/AuditEvent", 405, "not-supported"),
        ("DELETE", "/fhir/Spaceship/x", 404, "not-supported"),
        ("PATCH", "/fhir/Patient/m1", 405, "not-supported"),
        ("GET", "/fhir/Patient/m1/_history/1/extra", 404, "not-found"),
    ],
)
def test_what_cannot_be_done_is_an_operation_outcome(
    api: TestClient, method: str, path: str, status: int, code: str
) -> None:
    assert_outcome(send(api, method, path, ex.AUDIT), status, code)


def test_an_update_replaces_what_the_resource_is_found_by(api: TestClient) -> None:
    send(api, "PUT", "/fhir/Observation/o1", ex.BIRTH_WEIGHT)
    moved = {**ex.BIRTH_WEIGHT, "subject": {"reference": "Patient/m1"}, "status": "amended"}
    send(api, "PUT", "/fhir/Observation/o1", moved)

    def found(**params: str) -> list[str]:
        bundle = api.get("/fhir/Observation", params=params).json()
        return ids_of(bundle)

    assert found(patient="b1") == []
    assert found(status="final") == []
    assert found(patient="m1", status="amended") == ["o1"]
    assert found(code="8339-4") == ["o1"]  # unchanged values are still found


def test_a_clients_reads_within_a_second_are_one_audit_event(api: TestClient) -> None:
    send(api, "PUT", "/fhir/Patient/m1", ex.MOTHER)
    send(api, "PUT", "/fhir/Patient/b1", ex.BABY)
    for path in ("/fhir/Patient/m1", "/fhir/Patient/b1", "/fhir/Patient/m1"):
        assert api.get(path).status_code == 200
    api.app.state.audit.flush()  # type: ignore[attr-defined]

    reads = api.get("/fhir/AuditEvent", params={"subtype": "read"}).json()["entry"]

    assert len(reads) == 1
    event = reads[0]["resource"]
    assert sorted(e["what"]["reference"] for e in event["entity"]) == ["Patient/b1", "Patient/m1"]
    assert event["period"]["start"] <= event["period"]["end"]


def test_a_code_outside_a_required_binding_is_refused(api: TestClient) -> None:
    response = send(api, "POST", "/fhir/Patient", {**ex.BABY, "id": None, "gender": "M"})

    body = assert_outcome(response, 400, "code-invalid")
    assert "Patient.gender" in body["issue"][0]["diagnostics"]  # type: ignore[index]
    assert api.get("/fhir/Patient", params={"_summary": "count"}).json()["total"] == 0


def test_an_empty_element_is_refused(api: TestClient) -> None:
    provenance = {
        "resourceType": "Provenance",
        "target": [],
        "recorded": "2024-03-05T10:00:00+00:00",
        "agent": [{"who": {"display": "a test"}}],
    }
    body = assert_outcome(send(api, "POST", "/fhir/Provenance", provenance), 400, "structure")
    assert "Provenance.target" in body["issue"][0]["diagnostics"]  # type: ignore[index]
