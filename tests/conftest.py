"""Shared fixtures: databases on both backends, and synthetic data sets made once per run.

Storage tests run on SQLite and on a real PostgreSQL. Each test run creates its own PostgreSQL
database (and drops it at the end), so nothing depends on what an earlier run left behind. Where
no server answers, the PostgreSQL cases are skipped with the reason, except under CI=true, where
they fail: CI must exercise the production database.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from service.ingest.run import IngestReport

from service.storage import migrate
from service.storage.engine import make_engine

DEFAULT_TEST_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def _postgres_admin_url() -> URL:
    return make_url(os.environ.get("PERINATAL_TEST_POSTGRES_URL", DEFAULT_TEST_POSTGRES_URL))


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    """An AUTOCOMMIT connection to the server, for CREATE/DROP DATABASE."""
    url = _postgres_admin_url()
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as error:
        reason = (
            f"PostgreSQL not reachable at {url.render_as_string(hide_password=True)} "
            f"(set PERINATAL_TEST_POSTGRES_URL): {str(error.orig).strip().splitlines()[0]}"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}; under CI=true the PostgreSQL tests must run")
        pytest.skip(reason)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def create_postgres_database(postgres_admin: Engine) -> Iterator[Callable[[], str]]:
    """Makes throwaway databases; every one is dropped when the run ends."""
    created: list[str] = []

    def create() -> str:
        name = f"perinatal_test_{uuid.uuid4().hex[:12]}"
        with postgres_admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        created.append(name)
        return _postgres_admin_url().set(database=name).render_as_string(hide_password=False)

    yield create
    with postgres_admin.connect() as connection:
        for name in created:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def new_database_url(request: pytest.FixtureRequest, folder: Path) -> str:
    """A new, empty database on the backend the (parametrised) request asks for."""
    if request.param == "sqlite":
        return f"sqlite:///{folder / 'perinatal.db'}"
    url: str = request.getfixturevalue("create_postgres_database")()
    return url


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL of a new, empty database on each backend."""
    return new_database_url(request, tmp_path)


def new_migrated_engine(request: pytest.FixtureRequest, folder: Path) -> Engine:
    """A new database on the (parametrised) backend, migrated to the newest schema."""
    engine = make_engine(new_database_url(request, folder))
    migrate.upgrade(engine)
    return engine


SOURCE_EXTRACTS = {
    "maternity": "maternity_births_v1.csv",
    "neonatal": "neonatal_episodes_v1.csv",
    "health_visiting": "health_visiting_contacts_v1.csv",
}


def ingest_extracts(
    sessions: sessionmaker[Session], folder: Path, clock: Callable[[], datetime]
) -> dict[str, IngestReport]:
    """Load the three synthetic extracts in `folder` with their default mappings."""
    from fhir_mappings.mapping.model import default_mapping
    from service.ingest.run import ingest_file

    return {
        source: ingest_file(sessions, folder / name, default_mapping(source), clock=clock)
        for source, name in SOURCE_EXTRACTS.items()
    }


def written_extracts(folder: Path, spec: Any) -> Path:
    """The three synthetic extracts (and the reference tables, truth.json, defects.csv) of
    `spec`, a SynthesisSpec, written to `folder`."""
    from fhir_mappings.synthetic.files import write_extracts
    from fhir_mappings.synthetic.generator import generate

    write_extracts(generate(spec), folder)
    return folder


def ingest_with_reference_tables(
    sessions: sessionmaker[Session], folder: Path, clock: Callable[[], datetime]
) -> dict[str, IngestReport]:
    """Load the extracts' postcode and IMD tables, then the three extracts."""
    from service.projection.reference_tables import load_imd, load_postcode_lookup

    with sessions.begin() as session:
        load_postcode_lookup(session, folder / "reference/postcode_lsoa.csv", now=clock())
        load_imd(session, folder / "reference/imd2019_lsoa.csv", now=clock())
    return ingest_extracts(sessions, folder, clock)


@pytest.fixture(scope="session", params=BACKENDS)
def migrated_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """One migrated database per backend for the whole run."""
    engine = new_migrated_engine(request, tmp_path_factory.mktemp("db"))
    yield engine
    engine.dispose()


@pytest.fixture
def session(migrated_engine: Engine) -> Iterator[Session]:
    """One transaction per test, rolled back afterwards, so tests never see each other's rows."""
    with migrated_engine.connect() as connection:
        transaction = connection.begin()
        with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
            yield session
        transaction.rollback()
