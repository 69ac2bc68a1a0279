"""Read, vread and history of stored resources over `/fhir`, on SQLite and PostgreSQL: FHIR JSON
with version headers, and an `OperationOutcome` with the right status for every failure."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from service.api.app import create_app
from service.config import Settings
from service.storage.engine import make_engine, make_session_factory
from service.storage.models import FhirResource
from service.storage.resource_writes import write_resources

FIRST = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
SECOND = datetime(2026, 1, 6, 9, 0, tzinfo=UTC)
PATIENT = {"resourceType": "Patient", "id": "p1", "gender": "female"}
FHIR_JSON = "application/fhir+json"


@pytest.fixture
def client(empty_database_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=empty_database_url))) as client:
        sessions = make_session_factory(make_engine(empty_database_url))
        with sessions.begin() as session:
            write_resources(session, [PATIENT], now=FIRST)
        with sessions.begin() as session:
            write_resources(session, [{**PATIENT, "gender": "male"}], now=SECOND)
        yield client


def assert_outcome(response: object, status: int, code: str) -> None:
    assert response.status_code == status  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith(FHIR_JSON)  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["code"] == code
    assert "Traceback" not in body["issue"][0]["diagnostics"]


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
