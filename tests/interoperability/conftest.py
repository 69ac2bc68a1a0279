"""The real server: `perinatal serve` (uvicorn) on a free loopback port, on its own PostgreSQL
database, fed synthetic extracts over `POST /ingest`. Shared by the independent-client and
fuzzing tests of this folder."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from fhir_mappings.fhir.notes import Note, note_response
from fhir_mappings.synthetic.files import write_extracts
from fhir_mappings.synthetic.generator import generate
from fhir_mappings.synthetic.spec import SynthesisSpec
from service.storage.engine import make_engine, make_session_factory
from service.storage.resource_writes import write_resources
from tests.conftest import SOURCE_EXTRACTS
from tests.service.api import fhir_examples as examples
from tests.serving import served

TOKEN = "interop-test-token"
SOURCE_NAMES = {
    "maternity": "maternity",
    "neonatal": "neonatal",
    "health_visiting": "health-visiting",
}
pytestmark = pytest.mark.postgres


@dataclass(frozen=True)
class RunningServer:
    base: str  # the FHIR base, http://127.0.0.1:<port>/fhir
    token: str

    @property
    def root(self) -> str:
        return self.base.removesuffix("/fhir")

    @property
    def headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"}


@pytest.fixture(scope="session")
def server(
    create_postgres_database: object, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    database_url = create_postgres_database()  # type: ignore[operator]
    folder = tmp_path_factory.mktemp("server")
    with served(
        database_url,
        folder,
        PERINATAL_API_TOKENS=f'{{"{TOKEN}": "system/*.read system/*.write"}}',
    ) as root:
        running = RunningServer(f"{root}/fhir", TOKEN)
        _feed(running, tmp_path_factory.mktemp("extracts"))
        _alert_resources(running, database_url)
        yield running


def _alert_resources(server: RunningServer, database_url: str) -> None:
    """A subscriber registers through the API; the alert resources the service itself writes
    (Communication, DetectedIssue) are stored as the alerting would store them."""
    response = httpx.post(
        f"{server.root}/fhir/Subscription",
        json={k: v for k, v in examples.SUBSCRIPTION.items() if k != "id"},
        headers={**server.headers, "content-type": "application/fhir+json"},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    engine = make_engine(database_url)
    with make_session_factory(engine).begin() as session:
        write_resources(
            session,
            [examples.ALERT_NOTICE, examples.DATA_QUALITY_ISSUE],
            now=datetime(2026, 1, 5, tzinfo=UTC),
        )
    engine.dispose()


def _feed(server: RunningServer, folder: Path) -> None:
    write_extracts(
        generate(SynthesisSpec(births_per_year=150, years=1, defect_rate=0.05, seed=5)), folder
    )
    for source, name in SOURCE_EXTRACTS.items():
        with (folder / name).open("rb") as extract:
            response = httpx.post(
                f"{server.root}/ingest/{SOURCE_NAMES[source]}",
                files={"file": (name, extract, "text/csv")},
                headers=server.headers,
                timeout=120,
            )
        assert response.status_code == 200, response.text
    # A note on an indicator: the one stored type no extract makes.
    note = note_response(
        Note(id=None, indicator_id="oasi", kind="narrative", text="Staffing was short."),
        authored=datetime(2026, 1, 5, tzinfo=UTC),
    )
    response = httpx.post(
        f"{server.root}/fhir/QuestionnaireResponse",
        json=note,
        headers={**server.headers, "content-type": "application/fhir+json"},
        timeout=30,
    )
    assert response.status_code == 201, response.text
