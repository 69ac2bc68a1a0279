"""`/api/alerts`, `/api/silences`, `/api/deliveries`: what people do about alerts, and the
lifecycle those actions feed back into."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from service.api.app import create_app
from service.config import Settings
from service.scheduling import tasks
from tests.service.alerting.conftest import NOW
from tests.service.conftest import READER_TOKEN, TOKENS, WRITER_TOKEN, assert_outcome, bearer


@pytest.fixture
def settings(empty_database_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=empty_database_url, api_tokens=TOKENS, data_dir=tmp_path)


@pytest.fixture
def api(seeded: sessionmaker[Session], settings: Settings) -> Iterator[TestClient]:
    tasks.evaluate(settings, seeded, lambda: NOW)
    tasks.deliver(settings, seeded, lambda: NOW)
    app = create_app(settings, clock=lambda: NOW + timedelta(hours=1))
    with TestClient(app, headers=bearer(WRITER_TOKEN)) as client:
        yield client


def firing_concern(api: TestClient) -> dict[str, object]:
    [alert] = api.get("/api/alerts", params={"rule": "special_cause_concern_group"}).json()
    return alert  # type: ignore[no-any-return]


def test_alerts_are_listed_and_filtered_with_their_history(api: TestClient) -> None:
    every = api.get("/api/alerts").json()
    # The Asian group's special cause, its widening gap and its disparity are one change: one
    # alert, the others folded into it (alerts/rules/triage.yaml, merge).
    assert {a["rule"] for a in every} == {
        "special_cause_concern_group",
        "special_cause_improvement_overall",
    }
    concern = next(a for a in every if a["rule"] == "special_cause_concern_group")
    folded = api.get(f"/api/alerts/{concern['fingerprint']}").json()["evidence"]["triage"]
    assert ["disparity_red", "smoking_at_delivery", "ethnic_group", "Asian"] in folded["members"]
    assert all(a["status"] == "firing" for a in every)
    assert api.get("/api/alerts", params={"severity": "low"}).json()[0]["stratum"] == "all"
    alert = firing_concern(api)
    assert (alert["stratification"], alert["stratum"]) == ("ethnic_group", "Asian")
    detail = api.get(f"/api/alerts/{alert['fingerprint']}").json()
    assert [e["change"] for e in detail["history"]] == ["fired", "notified"]
    assert detail["evidence"]["numerator"] % 5 == 0  # disclosure-controlled


def test_acknowledging_records_who_and_stops_reminders(
    api: TestClient, seeded: sessionmaker[Session], settings: Settings
) -> None:
    fingerprint = firing_concern(api)["fingerprint"]
    response = api.post(
        f"/api/alerts/{fingerprint}/acknowledge",
        json={"by": "Labour ward lead", "comment": "Reviewing with the consultant team"},
    )
    assert response.status_code == 200
    assert response.json()["acknowledged_by"] == "Labour ward lead"
    history = api.get(f"/api/alerts/{fingerprint}").json()["history"]
    assert history[-1]["change"] == "acknowledged"
    assert history[-1]["detail"] == {"comment": "Reviewing with the consultant team"}

    # A week later the unacknowledged alerts are repeated; the acknowledged one is not.
    report = tasks.evaluate(settings, seeded, lambda: NOW + timedelta(days=8))
    assert report.notices == {"repeat": 1}
    [queued] = report.queued
    assert fingerprint not in queued.fingerprints
    assert len(queued.fingerprints) == 1


def test_resolving_by_hand_and_errors_as_operation_outcomes(api: TestClient) -> None:
    fingerprint = firing_concern(api)["fingerprint"]
    action = {"by": "Equity lead"}
    assert api.post(f"/api/alerts/{fingerprint}/resolve", json=action).json()["status"] == (
        "resolved"
    )
    assert_outcome(api.post(f"/api/alerts/{fingerprint}/resolve", json=action), 409, "conflict")
    assert_outcome(api.post(f"/api/alerts/{fingerprint}/acknowledge", json=action), 409, "conflict")
    assert_outcome(
        api.post("/api/alerts/0123456789abcdef0123/resolve", json=action), 404, "not-found"
    )
    assert_outcome(api.post(f"/api/alerts/{fingerprint}/acknowledge", json={}), 400, "invalid")


def test_silences_are_made_listed_and_expired(api: TestClient) -> None:
    made = api.post(
        "/api/silences",
        json={
            "matchers": {"indicator": "smoking_at_delivery", "stratification": "ethnic_group"},
            "ends_at": (NOW + timedelta(days=14)).isoformat(),
            "reason": "Known: audit under way",
            "author": "Equity lead",
        },
    )
    assert made.status_code == 201
    silence = made.json()
    assert silence["active"]
    assert api.get("/api/silences").json()[0]["id"] == silence["id"]
    expired = api.delete(f"/api/silences/{silence['id']}").json()
    assert not expired["active"]
    bad = api.post(
        "/api/silences",
        json={
            "matchers": {"colour": "red"},
            "ends_at": (NOW + timedelta(days=1)).isoformat(),
            "reason": "x",
            "author": "y",
        },
    )
    body = assert_outcome(bad, 400, "invalid")
    assert "colour" in body["issue"][0]["diagnostics"]  # type: ignore[index]


def test_the_delivery_log_and_scopes(api: TestClient) -> None:
    log = api.get("/api/deliveries").json()
    assert log["outbox"] == {"delivered": 1}
    [attempt] = log["attempts"]
    assert (attempt["channel"], attempt["outcome"]) == ("file", "delivered")
    reader = {"authorization": f"Bearer {READER_TOKEN}"}
    assert api.get("/api/alerts", headers=reader).status_code == 200
    fingerprint = firing_concern(api)["fingerprint"]
    forbidden = api.post(f"/api/alerts/{fingerprint}/acknowledge", json={"by": "x"}, headers=reader)
    assert_outcome(forbidden, 403, "forbidden")
    assert_outcome(api.get("/api/alerts", headers={"authorization": ""}), 401, "login")
