"""`/healthz` answers 200 when the database is reachable at the expected schema, 503 otherwise;
the app migrates the database when it starts; live schedulers are listed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from service.api.app import create_app
from service.config import Settings
from service.scheduling.heartbeat import SchedulerIdentity, beat
from service.storage import migrate
from service.storage.engine import make_engine, make_session_factory

NOW = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)


def test_the_app_migrates_on_start_and_reports_ready(empty_database_url: str) -> None:
    with TestClient(create_app(Settings(database_url=empty_database_url))) as client:
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "schema": migrate.head_revision(),
        "expected_schema": migrate.head_revision(),
        "schedulers": [],
    }


def test_a_database_behind_the_code_is_not_ready(empty_database_url: str) -> None:
    with TestClient(create_app(Settings(database_url=empty_database_url))) as client:
        migrate.downgrade(make_engine(empty_database_url), "base")
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["schema"] is None


def test_only_schedulers_heard_from_recently_are_listed(empty_database_url: str) -> None:
    settings = Settings(database_url=empty_database_url, scheduler_heartbeat_seconds=30)
    with TestClient(create_app(settings, clock=lambda: NOW)) as client:
        sessions = make_session_factory(make_engine(empty_database_url))
        alive = SchedulerIdentity("a" * 32, "alive-host", 10, NOW - timedelta(hours=1))
        stale = SchedulerIdentity("b" * 32, "stale-host", 11, NOW - timedelta(hours=1))
        beat(sessions, alive, NOW - timedelta(seconds=80))
        beat(sessions, stale, NOW - timedelta(seconds=100))

        schedulers = client.get("/healthz").json()["schedulers"]

    assert schedulers == [{"hostname": "alive-host", "last_heartbeat": "2026-01-05T01:58:40+00:00"}]
