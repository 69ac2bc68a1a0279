"""Bulk Data `$export` on SQLite and PostgreSQL: kick-off, polling, manifest, NDJSON files of one
type each, `_type` and `_since`, patient level, cancellation, and only the requester may
collect."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from service.storage.engine import make_engine, make_session_factory
from service.storage.resource_writes import write_resources
from tests.service.api import fhir_examples as ex
from tests.service.conftest import READER_TOKEN, assert_outcome, bearer

ASYNC = {"prefer": "respond-async"}
EARLY = datetime(2026, 1, 1, tzinfo=UTC)
LATE = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
def stored(api: TestClient, empty_database_url: str) -> TestClient:
    sessions = make_session_factory(make_engine(empty_database_url))
    with sessions.begin() as session:
        write_resources(session, [ex.MOTHER, ex.BABY, ex.BIRTH_WEIGHT, ex.AUDIT], now=EARLY)
    with sessions.begin() as session:
        write_resources(session, [ex.FEEDING, ex.HIE], now=LATE)
    return api


def kick_off(client: TestClient, path: str, **headers: str) -> str:
    response = client.get(path, headers={**ASYNC, **headers})
    assert response.status_code == 202, response.text
    return str(response.headers["content-location"]).removeprefix("http://testserver")


def manifest(client: TestClient, status_url: str, **headers: str) -> dict[str, Any]:
    for _ in range(200):
        response = client.get(status_url, headers=headers)
        if response.status_code == 200:
            return response.json()  # type: ignore[no-any-return]
        assert response.status_code == 202, response.text
        assert response.headers["x-progress"]
        time.sleep(0.05)
    raise AssertionError("the export did not finish")


def files(client: TestClient, body: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    found = {}
    for output in body["output"]:
        response = client.get(output["url"].removeprefix("http://testserver"))
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/fhir+ndjson")
        lines = [orjson.loads(line) for line in response.text.splitlines()]
        assert len(lines) == output["count"]
        assert {line["resourceType"] for line in lines} == {output["type"]}
        found[output["type"]] = lines
    return found


def test_a_system_export_writes_one_file_per_type(stored: TestClient) -> None:
    body = manifest(stored, kick_off(stored, "/fhir/$export"))

    assert body["requiresAccessToken"] is True
    exported = files(stored, body)
    assert sorted(exported) == ["AuditEvent", "Condition", "Observation", "Patient"]
    assert sorted(p["id"] for p in exported["Patient"]) == ["b1", "m1"]
    assert exported["Patient"][0]["meta"]["versionId"] == "1"


def test_type_and_since_narrow_the_export(stored: TestClient) -> None:
    status = kick_off(stored, "/fhir/$export?_type=Observation,Patient&_since=2026-02-01T00:00:00Z")
    exported = files(stored, manifest(stored, status))
    assert {t: [r["id"] for r in rs] for t, rs in exported.items()} == {"Observation": ["o2"]}


def test_a_patient_export_leaves_out_the_audit_trail(stored: TestClient) -> None:
    exported = files(stored, manifest(stored, kick_off(stored, "/fhir/Patient/$export")))
    assert "AuditEvent" not in exported
    assert "Observation" in exported


def test_a_post_kick_off_takes_parameters(stored: TestClient) -> None:
    parameters = {
        "resourceType": "Parameters",
        "parameter": [{"name": "_type", "valueString": "Condition"}],
    }
    response = stored.post(
        "/fhir/$export",
        content=orjson.dumps(parameters),
        headers={**ASYNC, "content-type": "application/fhir+json"},
    )
    assert response.status_code == 202
    status = response.headers["content-location"].removeprefix("http://testserver")
    assert list(files(stored, manifest(stored, status))) == ["Condition"]


def test_cancel_and_collect_only_your_own(stored: TestClient) -> None:
    status = kick_off(stored, "/fhir/$export")
    assert_outcome(stored.get(status, headers=bearer(READER_TOKEN)), 404, "not-found")

    assert stored.delete(status).status_code == 202
    assert_outcome(stored.get(status), 404, "not-found")


@pytest.mark.parametrize(
    ("path", "headers", "status", "code"),
    [
        ("/fhir/$export", {}, 400, "invalid"),
        ("/fhir/$export?_type=Spaceship", ASYNC, 400, "not-supported"),
        ("/fhir/$export?_outputFormat=text/csv", ASYNC, 400, "not-supported"),
        ("/fhir/$export?_since=tomorrow", ASYNC, 400, "invalid"),
        ("/fhir/Observation/$export", ASYNC, 404, "not-supported"),
        ("/fhir/$export-status/nothing", {}, 404, "not-found"),
    ],
)
def test_export_refusals(
    stored: TestClient, path: str, headers: dict[str, str], status: int, code: str
) -> None:
    assert_outcome(stored.get(path, headers=headers), status, code)
