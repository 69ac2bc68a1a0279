"""Benchmark the dashboard in a real browser: how long the Overview takes to be interactive from
navigation, and how long a filter change takes to redraw, over 10 years of a 10,000-births-a-year
region (SQLite, the embedded default).

    .venv/bin/python bench/dashboard.py [--births-per-year N] [--years Y] [--repeat R]

The analytic projection is made as bench/compute.py makes it (one year through the real
pipeline, repeated year after year), then computed in full and the alerts evaluated; the product
is served by `perinatal serve` and driven by Debian's Chromium through Playwright.

The ceiling, measured in the same run by the same browser: navigating to a page of the same
server that has no Bokeh document (`/healthz`), to its load event.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1]))

from compute import one_projected_year, run

from tests.dashboard.browser import chromium
from tests.serving import served

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
        with served(url, Path(folder)) as root:
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


def measure(root: str, repeat: int) -> None:
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.goto(root + "/dashboard/sign-in")
        page.fill("#name", "bench")
        page.fill("#password", PASSWORD)
        started = time.perf_counter()
        page.click("button[type=submit]")
        _wait_until_interactive(page)
        cold = time.perf_counter() - started
        overview = []
        for _ in range(repeat):
            started = time.perf_counter()
            page.goto(root + "/dashboard")
            _wait_until_interactive(page)
            overview.append(time.perf_counter() - started)
        ceiling = []
        for _ in range(repeat):
            started = time.perf_counter()
            page.goto(root + "/healthz", wait_until="load")
            ceiling.append(time.perf_counter() - started)
        page.goto(root + "/dashboard/smoking-and-bmi?indicator=smoking_at_delivery")
        page.wait_for_selector("nav.site-nav")
        page.wait_for_load_state("networkidle")
        redraws: dict[str, list[float]] = {label: [] for label in STRATIFICATIONS}
        for label in STRATIFICATIONS * max(1, repeat // 2):
            select = page.get_by_label("Compare groups by")
            started = time.perf_counter()
            select.select_option(label=label)
            page.wait_for_function(
                "(title) => Array.from(Bokeh.documents[0].all_models).some("
                "m => m.title && m.title.text && m.title.text.startsWith('By ' + title))",
                arg=label.split(" (")[0].lower(),
            )
            redraws[label].append(time.perf_counter() - started)
    print(f"Overview interactive from signing in, first view after start: {cold * 1000:.0f} ms")
    print(f"Overview interactive from navigation: {_figures(overview)}")
    print(f"    ceiling, a page with no Bokeh document (/healthz): {_figures(ceiling)}")
    every = [seconds for times in redraws.values() for seconds in times]
    print(f"filter change (compare groups by) redrawn: {_figures(every)}")
    for label, times in redraws.items():
        print(f"    to {label}: {_figures(times)}")


def _wait_until_interactive(page: Any) -> None:
    """The Overview's measures on the page, every sparkline drawn and the websocket idle."""
    page.get_by_test_id("measure").first.wait_for()
    page.wait_for_function("() => Bokeh.documents.length > 0 && Bokeh.documents[0].is_idle")


def _figures(seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    return (
        f"first {seconds[0] * 1000:.0f} ms, median {statistics.median(ms):.0f} ms, "
        f"worst {ms[-1]:.0f} ms over {len(ms)}"
    )


if __name__ == "__main__":
    main()
