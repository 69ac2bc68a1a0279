"""`/healthz` answers 200 when the database is reachable at the expected schema, 503 otherwise;
the app migrates the database when it starts."""

from __future__ import annotations

from fastapi.testclient import TestClient

from service.api.app import create_app
from service.config import Settings
from service.storage import migrate
from service.storage.engine import make_engine


def test_the_app_migrates_on_start_and_reports_ready(empty_database_url: str) -> None:
    with TestClient(create_app(Settings(database_url=empty_database_url))) as client:
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "schema": migrate.head_revision(),
        "expected_schema": migrate.head_revision(),
    }


def test_a_database_behind_the_code_is_not_ready(empty_database_url: str) -> None:
    with TestClient(create_app(Settings(database_url=empty_database_url))) as client:
        migrate.downgrade(make_engine(empty_database_url), "base")
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["schema"] is None
