"""The scheduled projection refresh: what was written through the FHIR API (and so only queued)
reaches the analytic projection on the next run."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from service.config import Settings
from service.scheduling.tasks import refresh_queued
from service.storage.engine import make_engine, make_session_factory
from service.storage.models import PatientIdentity, ProjectionQueue
from tests.service.api import fhir_examples as ex
from tests.service.conftest import FHIR_JSON

NOW = datetime(2026, 1, 5, tzinfo=UTC)


def test_api_writes_are_projected_by_the_scheduled_refresh(
    api: TestClient, empty_database_url: str
) -> None:
    api.put(
        "/fhir/Patient/m1", content=orjson.dumps(ex.MOTHER), headers={"content-type": FHIR_JSON}
    )
    sessions = make_session_factory(make_engine(empty_database_url))
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(ProjectionQueue)) == 1

    refresh_queued(Settings(database_url=empty_database_url), sessions, lambda: NOW)

    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(ProjectionQueue)) == 0
        linked = session.scalars(select(PatientIdentity.patient_id)).all()
    assert linked == ["m1"]
