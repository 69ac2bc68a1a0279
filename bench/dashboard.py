"""Benchmark the dashboard in a real browser: how long the Overview takes to be interactive from
navigation, and how long a filter change takes to redraw, over 10 years of a 10,000-births-a-year
region (SQLite, the embedded default).

    .venv/bin/python bench/dashboard.py [--births-per-year N] [--years Y] [--repeat R]

The analytic projection is made as bench/compute.py makes it (one year through the real
pipeline, repeated year after year), then computed in full and the alerts evaluated; the product
is served by `perinatal serve` and driven by Debian's Chromium through Playwright.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1]))

from compute import one_projected_year, run

PASSWORD = "bench-password-1234"
STRATIFICATIONS = [
    "Deprivation quintile (1 = most deprived)",
    "Ethnic group",
    "Mother's age",
    "Preferred language English",
    "Ethnic category",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--births-per-year", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = prepare(Path(folder), args.births_per_year, args.years)
        with serving(url, Path(folder)) as root:
            measure(root, args.repeat)


def prepare(folder: Path, births_per_year: int, years: int) -> str:
    from service.accounts.users import add_user
    from service.clock import utc_now
    from service.config import load_settings
    from service.scheduling import tasks
    from service.storage.engine import make_engine, make_session_factory

    started = time.perf_counter()
    births, contacts = one_projected_year(folder, births_per_year)
    url = f"sqlite:///{folder / 'dashboard-bench.db'}"
    figures = run(url, births, contacts, years)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    settings = load_settings(database_url=url, alert_outbox_file=str(folder / "outbox.jsonl"))
    report = tasks.evaluate(settings, sessions, utc_now)
    with sessions.begin() as session:
        add_user(session, "bench", "analyst", PASSWORD, utc_now())
    engine.dispose()
    print(
        f"data: {figures['births']:,} births over {years} years, {report.firing} alerts firing "
        f"(prepared in {time.perf_counter() - started:.0f} s)"
    )
    return url


class serving:  # noqa: N801 - a context manager
    def __init__(self, url: str, folder: Path) -> None:
        self.url, self.folder = url, folder

    def __enter__(self) -> str:
        import httpx

        env = {
            **os.environ,
            "PERINATAL_DATABASE_URL": self.url,
            "PERINATAL_LOG_LEVEL": "WARNING",
            "PERINATAL_DATA_DIR": str(self.folder),
        }
        command = [sys.executable, "-m", "service.cli", "serve", "--port", "8791"]
        self.process = subprocess.Popen(command, env=env)
        root = "http://127.0.0.1:8791"
        for _ in range(300):
            try:
                if httpx.get(f"{root}/healthz", timeout=1).status_code == 200:
                    return root
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise SystemExit("the server did not start")

    def __exit__(self, *exc: Any) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


def measure(root: str, repeat: int) -> None:
    from playwright.sync_api import sync_playwright

    args = [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
    ]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.goto(root + "/dashboard/sign-in")
        page.fill("#name", "bench")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("nav.site-nav")
        overview = []
        for _ in range(repeat):
            started = time.perf_counter()
            page.goto(root + "/dashboard")
            page.get_by_test_id("measure").first.wait_for()
            # Interactive: every sparkline drawn and the websocket idle.
            page.wait_for_function("() => Bokeh.documents.length > 0 && Bokeh.documents[0].is_idle")
            overview.append(time.perf_counter() - started)
        page.goto(root + "/dashboard/smoking-and-bmi?indicator=smoking_at_delivery")
        page.wait_for_selector("nav.site-nav")
        page.wait_for_load_state("networkidle")
        redraws = []
        for label in STRATIFICATIONS * max(1, repeat // 2):
            select = page.get_by_label("Compare groups by")
            before = page.get_by_test_id("plain-language").inner_text()
            started = time.perf_counter()
            select.select_option(label=label)
            page.wait_for_function(
                "(title) => Array.from(Bokeh.documents[0].all_models).some("
                "m => m.title && m.title.text && m.title.text.startsWith('By ' + title))",
                arg=label.split(" (")[0].lower(),
            )
            redraws.append(time.perf_counter() - started)
            del before
        browser.close()
    print(f"Overview interactive from navigation: {_figures(overview)}")
    print(f"filter change (compare groups by) redrawn: {_figures(redraws)}")


def _figures(seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    return (
        f"first {seconds[0] * 1000:.0f} ms, median {statistics.median(ms):.0f} ms, "
        f"worst {ms[-1]:.0f} ms over {len(ms)}"
    )


if __name__ == "__main__":
    main()
