"""The dashboard in a real browser: `perinatal serve` on a free loopback port over a SQLite
database holding two years of synthetic extracts run through the whole pipeline (ingest,
projection, indicators, alerts), and Debian's Chromium driven by Playwright. Screenshots of each
page are kept under the run's temporary folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from fhir_mappings.synthetic.spec import SynthesisSpec
from service.accounts.users import add_user
from service.clock import utc_now
from service.config import load_settings
from service.scheduling import tasks
from service.storage import migrate
from service.storage.engine import make_engine, make_session_factory
from tests.conftest import ingest_with_reference_tables, written_extracts
from tests.interoperability.conftest import free_port

CHROMIUM = os.environ.get("PERINATAL_TEST_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "correct-horse-battery"
# Chromium as root in a closed network: no sandbox, no background calls home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


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
    port = free_port()
    environment = {
        **os.environ,
        "PERINATAL_DATABASE_URL": database_url,
        "PERINATAL_DATA_DIR": str(folder),
        "PERINATAL_LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "service.cli", "serve", "--host", "127.0.0.1",
               "--port", str(port)]  # fmt: skip
    log_path = folder / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(command, env=environment, stdout=log, stderr=subprocess.STDOUT)
        try:
            root = f"http://127.0.0.1:{port}"
            _wait_until_ready(root, process, log_path)
            shots = folder / "screenshots"
            shots.mkdir()
            yield Dashboard(root, database_url, shots)
        finally:
            process.terminate()
            process.wait(timeout=20)


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


def _wait_until_ready(root: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{root}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"the server did not become ready: {log.read_text()[-2000:]}")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium")
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Console:
    """The browser console's errors and the page's uncaught exceptions."""

    def __init__(self, page: Any) -> None:
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))


@pytest.fixture
def page(browser: Any, dashboard: Dashboard) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def sign_in(page: Any, dashboard: Dashboard, name: str = "ana", target: str = "/dashboard") -> None:
    page.goto(dashboard.root + target)
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    wait_for_page(page)


def wait_for_page(page: Any) -> None:
    """Until Panel has rendered the page and its websocket has gone quiet."""
    page.wait_for_selector("nav.site-nav")
    page.wait_for_load_state("networkidle")


def bokeh_sources(page: Any, field: str) -> list[dict[str, list[Any]]]:
    """The data of every Bokeh data source on the page that has `field`: what the charts draw."""
    return page.evaluate(
        """(field) => {
            const found = [];
            for (const doc of Bokeh.documents) {
                for (const model of doc.all_models) {
                    if (model.data && field in model.data) {
                        const data = {};
                        for (const [k, v] of Object.entries(model.data)) data[k] = Array.from(v);
                        found.push(data);
                    }
                }
            }
            return found;
        }""",
        field,
    )
