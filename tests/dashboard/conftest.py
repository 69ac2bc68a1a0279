"""The dashboard in a real browser: `perinatal serve` on a free loopback port over a SQLite
database holding two years of synthetic extracts run through the whole pipeline (ingest,
projection, indicators, alerts), and Debian's Chromium driven by Playwright. Screenshots of each
page are kept under the run's temporary folder."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from fhir_mappings.synthetic.spec import SynthesisSpec
from service.accounts.users import add_user
from service.clock import utc_now
from service.config import load_settings
from service.scheduling import tasks
from service.storage import migrate
from service.storage.engine import make_engine, make_session_factory
from tests.conftest import ingest_with_reference_tables, written_extracts
from tests.dashboard import browser as driving
from tests.dashboard.browser import CHROMIUM
from tests.serving import served

PASSWORD = "correct-horse-battery"


@dataclass(frozen=True)
class Dashboard:
    root: str
    database_url: str
    screenshots: Path


@pytest.fixture(scope="session")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    folder = tmp_path_factory.mktemp("dashboard")
    database_url = f"sqlite:///{folder / 'dashboard.db'}"
    _prepare(database_url, folder)
    with served(database_url, folder) as root:
        shots = folder / "screenshots"
        shots.mkdir()
        yield Dashboard(root, database_url, shots)


def _prepare(database_url: str, folder: Path) -> None:
    extracts = written_extracts(
        folder / "extracts", SynthesisSpec(births_per_year=1500, years=2, defect_rate=0.02, seed=21)
    )
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    sessions = make_session_factory(engine)
    ingest_with_reference_tables(sessions, extracts, utc_now)
    settings = load_settings(
        database_url=database_url, alert_outbox_file=str(folder / "outbox.jsonl")
    )
    tasks.evaluate(settings, sessions, utc_now)
    tasks.deliver(settings, sessions, utc_now)
    with sessions.begin() as session:
        add_user(session, "ana", "analyst", PASSWORD, utc_now())
        add_user(session, "vic", "viewer", PASSWORD, utc_now())
    engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium")
        pytest.skip(f"no Chromium at {CHROMIUM}")
    with driving.chromium() as browser:
        yield browser


@pytest.fixture
def page(browser: Any, dashboard: Dashboard) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def sign_in(page: Any, dashboard: Dashboard, name: str = "ana", target: str = "/dashboard") -> None:
    driving.sign_in(page, dashboard.root, name, PASSWORD, target)
