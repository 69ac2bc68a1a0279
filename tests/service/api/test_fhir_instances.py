"""Read, vread, history and update of resources over `/fhir`, on SQLite and PostgreSQL: FHIR JSON
with version headers, and an `OperationOutcome` with the right status for every failure."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from service.storage.engine import make_engine, make_session_factory
from service.storage.models import FhirResource
from service.storage.resource_writes import write_resources
from tests.service.conftest import FHIR_JSON, assert_outcome

FIRST = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
SECOND = datetime(2026, 1, 6, 9, 0, tzinfo=UTC)
PATIENT = {"resourceType": "Patient", "id": "p1", "gender": "female"}


@pytest.fixture
def client(api: TestClient, empty_database_url: str) -> TestClient:
    sessions = make_session_factory(make_engine(empty_database_url))
    with sessions.begin() as session:
        write_resources(session, [PATIENT], now=FIRST)
    with sessions.begin() as session:
        write_resources(session, [{**PATIENT, "gender": "male"}], now=SECOND)
    return api


def test_read_returns_the_current_version_with_its_headers(client: TestClient) -> None:
    response = client.get("/fhir/Patient/p1")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith(FHIR_JSON)
    assert response.headers["etag"] == 'W/"2"'
    assert parsedate_to_datetime(response.headers["last-modified"]) == SECOND
    body = response.json()
    assert body["gender"] == "male"
    assert body["meta"]["versionId"] == "2"


def test_vread_returns_an_earlier_version(client: TestClient) -> None:
    response = client.get("/fhir/Patient/p1/_history/1")

    assert response.status_code == 200
    assert response.headers["etag"] == 'W/"1"'
    assert response.json()["gender"] == "female"


def test_history_lists_every_version_newest_first(client: TestClient) -> None:
    bundle = client.get("/fhir/Patient/p1/_history").json()

    assert bundle["type"] == "history"
    assert bundle["total"] == 2
    assert [e["resource"]["meta"]["versionId"] for e in bundle["entry"]] == ["2", "1"]
    assert [e["request"]["method"] for e in bundle["entry"]] == ["PUT", "POST"]


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/fhir/Patient/nobody", 404, "not-found"),
        ("/fhir/Patient/p1/_history/9", 404, "not-found"),
        ("/fhir/Patient/p1/_history/x", 404, "not-found"),
        ("/fhir/Spaceship/p1", 404, "not-supported"),
        ("/fhir/Patient/nobody/_history", 404, "not-found"),
        ("/fhir/Patient/p1?_format=xml", 406, "not-supported"),
    ],
)
def test_failures_are_operation_outcomes(
    client: TestClient, path: str, status: int, code: str
) -> None:
    assert_outcome(client.get(path), status, code)


def test_a_deleted_resource_is_gone(client: TestClient, empty_database_url: str) -> None:
    sessions = make_session_factory(make_engine(empty_database_url))
    with sessions.begin() as session:
        session.execute(update(FhirResource).values(deleted=True))
    assert_outcome(client.get("/fhir/Patient/p1"), 410, "deleted")


@pytest.mark.parametrize("format_", ["json", "application/fhir+json", "application/json"])
def test_json_formats_are_honoured(client: TestClient, format_: str) -> None:
    assert client.get("/fhir/Patient/p1", params={"_format": format_}).status_code == 200


def test_the_local_code_system_is_served(client: TestClient) -> None:
    code_system = client.get("/fhir/CodeSystem/perinatal-local").json()

    assert code_system["resourceType"] == "CodeSystem"
    assert code_system["count"] == len(code_system["concept"])
    assert {"code": "hie_grade-severe", "display": "Severe"} in code_system["concept"]


# --- update and update-as-create -------------------------------------------------------------

OBSERVATION = {
    "resourceType": "Observation",
    "id": "obs-1",
    "status": "final",
    "code": {"coding": [{"system": "http://loinc.org", "code": "8339-4"}]},
    "subject": {"reference": "Patient/p1"},
    "valueQuantity": {
        "value": 3250,
        "unit": "g",
        "system": "http://unitsofmeasure.org",
        "code": "g",
    },
}


def put(client: TestClient, body: object, path: str = "/fhir/Observation/obs-1", **headers: str):  # type: ignore[no-untyped-def]
    return client.put(
        path, content=orjson.dumps(body), headers={"content-type": FHIR_JSON, **headers}
    )


def test_update_as_create_then_update_then_unchanged(client: TestClient) -> None:
    created = put(client, OBSERVATION)
    assert created.status_code == 201
    assert created.headers["etag"] == 'W/"1"'
    assert created.headers["location"].endswith("/fhir/Observation/obs-1/_history/1")
    assert created.json()["meta"]["versionId"] == "1"

    changed = put(client, {**OBSERVATION, "status": "amended"}, **{"if-match": 'W/"1"'})
    assert changed.status_code == 200
    assert changed.headers["etag"] == 'W/"2"'
    assert client.get("/fhir/Observation/obs-1").json()["status"] == "amended"

    same = put(client, {**OBSERVATION, "status": "amended"})
    assert same.status_code == 200
    assert same.headers["etag"] == 'W/"2"'  # identical content makes no new version


def test_a_stale_if_match_is_refused_and_changes_nothing(client: TestClient) -> None:
    put(client, OBSERVATION)
    put(client, {**OBSERVATION, "status": "amended"})
    stale = put(client, {**OBSERVATION, "status": "cancelled"}, **{"if-match": 'W/"1"'})

    assert_outcome(stale, 412, "conflict")
    assert client.get("/fhir/Observation/obs-1").json()["status"] == "amended"


@pytest.mark.parametrize(
    ("body", "path", "content_type", "status", "code", "expression"),
    [
        (b"{not json", "/fhir/Observation/obs-1", FHIR_JSON, 400, "structure", None),
        (OBSERVATION, "/fhir/Observation/obs-1", "text/csv", 415, "not-supported", None),
        (OBSERVATION, "/fhir/Patient/obs-1", FHIR_JSON, 400, "invalid", "resourceType"),
        (OBSERVATION, "/fhir/Observation/other", FHIR_JSON, 400, "invalid", "Observation.id"),
        (
            {**OBSERVATION, "effectiveDateTime": "yesterday"},
            "/fhir/Observation/obs-1",
            FHIR_JSON,
            400,
            "structure",
            "Observation.effectiveDateTime",
        ),
        (OBSERVATION, "/fhir/Spaceship/obs-1", FHIR_JSON, 404, "not-supported", None),
    ],
)
def test_a_bad_update_is_an_operation_outcome_naming_the_problem(
    client: TestClient,
    body: object,
    path: str,
    content_type: str,
    status: int,
    code: str,
    expression: str | None,
) -> None:
    content = body if isinstance(body, bytes) else orjson.dumps(body)
    response = client.put(path, content=content, headers={"content-type": content_type})

    assert_outcome(response, status, code)
    if expression:
        assert response.json()["issue"][0]["expression"] == [expression]
    assert client.get("/fhir/Observation/obs-1").status_code == 404  # nothing was written
