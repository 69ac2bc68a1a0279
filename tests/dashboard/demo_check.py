"""On the demo data, in a real browser: does each planted event show as a special-cause point
on its chart, and does each planted inequality show a red traffic light?

    make demo DEMO_ARGS=--no-serve && .venv/bin/python -m tests.dashboard.demo_check

It reads the demo's database and `truth.json` where the settings put them (the same environment
as the demo), serves the product on a free port with a user of its own (removed afterwards), opens
each chart on its topic page in Debian's Chromium and reads what the chart draws: the points of
the SPC chart and the groups of the comparison. It prints a line per check and exits 1 if any
fails. It is not part of `make test`: the demo data takes minutes to make.
"""

from __future__ import annotations

import json
import secrets
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from dashboard.shell import PageCatalogue, load_pages
from dashboard.theme import traffic_light, variation
from service.accounts.users import add_user, remove_user
from service.clock import utc_now
from service.config import load_settings
from service.indicators.catalogue import load_catalogue
from service.indicators.planted_events import series_key
from service.storage.engine import make_engine, make_session_factory
from service.storage.models import DashboardUser
from tests.dashboard.browser import (
    bokeh_sources,
    chart_titles,
    chromium,
    sign_in,
    wait_for_page,
)
from tests.serving import served

CHECK_USER = "demo-check"


@dataclass(frozen=True)
class PlantedInequality:
    """A group the generator made worse off (`fhir_mappings/synthetic/population.py`), and the
    comparison where the dashboard should show it red."""

    indicator: str
    stratification: str
    group: str
    why: str


# The generator's largest designed differences, each big enough to be significant over the
# latest 12 months of the demo's 10,000 births a year.
PLANTED_INEQUALITIES = (
    PlantedInequality("preterm_birth", "ethnic_group", "Black", "preterm relative risk 1.45"),
    PlantedInequality("stillbirth", "ethnic_group", "Black", "stillbirth relative risk 2.0"),
    PlantedInequality("oasi", "ethnic_group", "Asian", "OASI relative risk 1.8"),
    PlantedInequality(
        "low_birth_weight_term", "imd_quintile", "1", "lower birth weight in deprived areas"
    ),
    PlantedInequality(
        "breastfeeding_6_8_weeks", "imd_quintile", "1", "less breastfeeding in deprived areas"
    ),
)


def route_of(pages: PageCatalogue, indicator: str) -> str:
    """The topic page that charts the indicator (the all-indicators page if none does)."""
    topic = pages.topic_of(indicator)
    return topic.route if topic else "indicator"


def chart_url(route: str, indicator: str, stratification: str, stratum: str) -> str:
    query = {"indicator": indicator, "stratification": stratification, "stratum": stratum}
    return f"/dashboard/{route}?{urlencode(query)}"


def event_shown(page: Any, event: dict[str, Any]) -> tuple[bool, str]:
    """Whether the SPC chart on the page has a point of the expected kind from the event's
    start month on; and the months it has."""
    expected = variation(event["expected_signal"]).label
    group = next(iter(event["stratum"].values()), None)
    spc_title = next((t for t in chart_titles(page) if t.endswith(", by month")), "")
    if group and f": {group} (" not in spc_title:
        return False, f"a chart of something else: {spc_title!r}"
    points = [s for s in bokeh_sources(page, "signal") if "period" in s]
    months = [
        period
        for source in points
        for period, signal in zip(source["period"], source["signal"], strict=True)
        if signal == expected and period >= event["start_month"]
    ]
    shown = f"'{expected}' in {len(months)} months" + (f" from {months[0]}" if months else "")
    return bool(months), shown


def light_shown(page: Any, inequality: PlantedInequality) -> tuple[bool, str]:
    """The traffic light the comparison chart gives the group."""
    red = traffic_light("red").label
    for source in bokeh_sources(page, "label"):
        for group, label in zip(source.get("group", []), source["label"], strict=False):
            if group.split(" (")[0] == inequality.group:
                return label == red, f"'{label}'"
    return False, "group not on the chart"


Check = Callable[[Any], tuple[bool, str]]


def checks(truth: dict[str, Any], pages: PageCatalogue) -> list[tuple[str, Check, str]]:
    """Each check: the chart's URL, what to read on it, and what it is about."""
    catalogue = load_catalogue()
    found: list[tuple[str, Check, str]] = []
    for event in truth["injected_events"]:
        key = series_key(catalogue, event["indicator"], event["stratum"])
        found.append(
            (
                chart_url(route_of(pages, event["indicator"]), *key),
                partial(event_shown, event=event),
                f"planted {event['id']} (from {event['start_month']})",
            )
        )
    for inequality in PLANTED_INEQUALITIES:
        found.append(
            (
                chart_url(
                    route_of(pages, inequality.indicator),
                    inequality.indicator,
                    inequality.stratification,
                    inequality.group,
                ),
                partial(light_shown, inequality=inequality),
                f"inequality {inequality.group} in {inequality.indicator} ({inequality.why})",
            )
        )
    return found


def main() -> int:
    settings = load_settings()
    truth_file = settings.data_dir / "demo" / "truth.json"
    if not truth_file.exists():
        print(f"demo_check: no {truth_file}: run `make demo DEMO_ARGS=--no-serve` first")
        return 2
    truth = json.loads(truth_file.read_text())
    planned = checks(truth, load_pages(set(load_catalogue().indicators)))
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    password = secrets.token_urlsafe(12)
    with sessions.begin() as session:
        if session.get(DashboardUser, CHECK_USER) is not None:  # left by an interrupted run
            remove_user(session, CHECK_USER)
            session.flush()
        add_user(session, CHECK_USER, "viewer", password, utc_now())
    failures = 0
    try:
        with (
            tempfile.TemporaryDirectory() as folder,
            served(settings.database_url, Path(folder)) as root,
            chromium() as browser,
        ):
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.set_default_timeout(30_000)
            sign_in(page, root, CHECK_USER, password)
            for url, check, what in planned:
                open_chart(page, root, url)
                ok, shown = check(page)
                failures += not ok
                print(f"{'ok  ' if ok else 'FAIL'} {what}: {url} shows {shown}")
    finally:
        with sessions.begin() as session:
            remove_user(session, CHECK_USER)
        engine.dispose()
    print(f"{failures} of {len(planned)} checks failed")
    return 1 if failures else 0


def open_chart(page: Any, root: str, url: str) -> None:
    page.goto(root + url)
    wait_for_page(page)


if __name__ == "__main__":
    sys.exit(main())
