"""What a clinician does in the browser: sign in, open every page, change a filter, record an
intervention and see it on the chart, acknowledge an alert, download a table."""

from __future__ import annotations

import csv
import io
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from playwright.sync_api import expect

from tests.dashboard.browser import Console, bokeh_sources, texts_read, wait_for_page
from tests.dashboard.conftest import Dashboard, sign_in
from tests.group_words import codes_as_labels, codes_in_text

PAGES = [
    "/dashboard",
    "/dashboard/birth-outcomes",
    "/dashboard/perineal-trauma",
    "/dashboard/infant-feeding",
    "/dashboard/smoking-and-bmi",
    "/dashboard/deprivation",
    "/dashboard/mental-health",
    "/dashboard/neonatal",
    "/dashboard/indicator",
    "/dashboard/national",
    "/dashboard/data-quality",
    "/dashboard/alerts",
    "/dashboard/interventions",
    "/dashboard/voices",
]

# Every page, and the pages of groups that have codes: categories, languages, deprivation.
PAGES_OF_CODED_GROUPS = [
    "/dashboard/perineal-trauma?stratification=ethnic_category",
    "/dashboard/perineal-trauma?stratification=language",
    "/dashboard/birth-outcomes?stratification=imd_quintile",
    "/dashboard/deprivation?stratification=imd_decile",
    "/dashboard/perineal-trauma?stratification=ethnic_category&stratum=H",
    "/dashboard/perineal-trauma?stratification=language&stratum=pl",
    "/dashboard/birth-outcomes?stratification=imd_quintile&stratum=1",
]


def test_a_page_without_a_session_sends_the_browser_to_sign_in(dashboard: Dashboard) -> None:
    answer = httpx.get(f"{dashboard.root}/dashboard/alerts?state=open", follow_redirects=False)
    assert answer.status_code == 303
    assert (
        answer.headers["location"] == "/dashboard/sign-in?next=%2Fdashboard%2Falerts%3Fstate%3Dopen"
    )


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(
    page: Any, dashboard: Dashboard
) -> None:
    page.goto(dashboard.root + "/dashboard")
    page.fill("#name", "nobody")
    page.fill("#password", "not-the-password")
    page.click("button[type=submit]")
    assert page.locator("[role=alert]").inner_text() == "Wrong user name or password."
    assert "/dashboard/sign-in" in page.url


def test_signing_in_opens_the_page_asked_for(page: Any, dashboard: Dashboard) -> None:
    sign_in(page, dashboard, target="/dashboard/data-quality")
    assert urlsplit(page.url).path == "/dashboard/data-quality"
    assert page.get_by_role("heading", name="Data quality").is_visible()
    assert page.get_by_text("ana (analyst)").is_visible()


@pytest.mark.parametrize("path", PAGES)
def test_every_page_loads_with_no_console_errors(
    page: Any, dashboard: Dashboard, path: str
) -> None:
    console = Console(page)
    sign_in(page, dashboard, target=path)
    assert urlsplit(page.url).path == path
    page.screenshot(path=str(dashboard.screenshots / f"{path.strip('/').replace('/', '_')}.png"),
                    full_page=True)  # fmt: skip
    assert console.errors == []


@pytest.mark.parametrize("path", PAGES + PAGES_OF_CODED_GROUPS)
def test_no_group_is_named_by_its_code_alone(page: Any, dashboard: Dashboard, path: str) -> None:
    sign_in(page, dashboard, target=path)
    read = texts_read(page)
    assert read["text"]
    assert codes_in_text(read["text"] + read["titles"]) == []
    assert codes_as_labels(read["factors"] + read["legends"]) == []
    assert codes_as_labels(read["options"], numbers=False) == []


def test_the_overview_shows_at_most_eight_measures_with_icons_and_open_alerts(
    page: Any, dashboard: Dashboard
) -> None:
    sign_in(page, dashboard)
    cards = page.get_by_test_id("measure")
    assert 1 <= cards.count() <= 8
    first = cards.first.inner_text()
    assert re.search(r"Common cause variation|Special cause", first)
    assert "Disparity:" in first
    assert page.get_by_role("heading", name="Open alerts").is_visible()


def test_the_national_measures_page_charts_a_cqim_beside_its_own_indicator(
    page: Any, dashboard: Dashboard
) -> None:
    sign_in(page, dashboard, target="/dashboard/national")
    assert page.get_by_role("heading", name="National measures").is_visible()
    summary = page.get_by_test_id("national-summary")
    assert "Latest published month" in summary.inner_text()
    link = summary.get_by_role("link")
    assert link.inner_text() == "Preterm birth"
    assert "indicator=preterm_birth" in (link.get_attribute("href") or "")
    table = page.locator("table.results").first
    assert "Apgar score of 0 to 6 at 5 minutes" in table.inner_text()
    page.get_by_label("Measure").select_option(label="Postpartum haemorrhage of 1,500 ml or more")
    page.wait_for_function(
        "() => Array.from(Bokeh.documents[0].all_models).some(m => m.text &&"
        " String(m.text).startsWith('Postpartum haemorrhage of 1,500 ml or more: provider'))"
    )
    # The summary is its own pane, updated after the chart: wait for it rather than race it.
    expect(page.get_by_test_id("national-summary")).to_contain_text(
        "Postpartum haemorrhage", timeout=20_000
    )
    points = [s for s in bokeh_sources(page, "period") if "counts" in s]
    assert points
    assert len(points[0]["period"]) >= 20  # two years of months


def test_changing_a_filter_updates_the_chart_and_the_url(page: Any, dashboard: Dashboard) -> None:
    sign_in(page, dashboard, target="/dashboard/smoking-and-bmi?indicator=smoking_at_delivery")
    before = _comparison_groups(page)
    page.get_by_label("Compare groups by").select_option(
        label="Deprivation quintile (1 = most deprived)"
    )
    page.wait_for_function("() => location.search.includes('stratification=imd_quintile')")
    assert parse_qs(urlsplit(page.url).query)["stratification"] == ["imd_quintile"]
    page.wait_for_function(
        "() => Array.from(Bokeh.documents[0].all_models).some(m => m.data && m.data.group &&"
        " Array.from(m.data.group).some(g => g.startsWith('Least deprived 20% (reference)')))"
    )
    assert _comparison_groups(page) != before
    # The link opens the same view.
    page.goto(page.url)
    wait_for_page(page)
    assert any(g.startswith("Least deprived 20% (reference)") for g in _comparison_groups(page))


# The focused control, looking through Panel's shadow roots: its tag and its label's words.
FOCUSED = """() => {
    let e = document.activeElement;
    while (e && e.shadowRoot && e.shadowRoot.activeElement) e = e.shadowRoot.activeElement;
    const label = e && e.labels && e.labels.length ? e.labels[0].textContent.trim() : "";
    return e ? e.tagName + " " + (label || e.textContent.trim().slice(0, 40)) : "";
}"""


def test_the_filters_are_reached_and_changed_from_the_keyboard(
    page: Any, dashboard: Dashboard
) -> None:
    sign_in(page, dashboard, target="/dashboard/smoking-and-bmi?indicator=smoking_at_delivery")
    reached = []
    for _ in range(80):
        page.keyboard.press("Tab")
        reached.append(page.evaluate(FOCUSED))
        if reached[-1] == "SELECT Compare groups by":
            break
    else:
        pytest.fail(f"Tab never reached the group filter; it went through {reached}")
    assert any(r.startswith("A Birth outcomes") for r in reached)  # the navigation first
    page.keyboard.press("ArrowDown")
    page.wait_for_function(
        "() => /stratification=(?!ethnic_group&|ethnic_group$)/.test(location.search)"
    )
    assert parse_qs(urlsplit(page.url).query)["stratification"] == ["ethnic_category"]


# A page of each layout: cards, the indicator view, its gradient and care-days tables, the lists
# and the forms.
TABLET_PAGES = ["/dashboard", "/dashboard/birth-outcomes", "/dashboard/deprivation",
                "/dashboard/neonatal", "/dashboard/national", "/dashboard/data-quality",
                "/dashboard/alerts",
                "/dashboard/interventions", "/dashboard/voices"]  # fmt: skip


@pytest.mark.parametrize("path", TABLET_PAGES)
def test_pages_fit_a_tablet_without_sideways_scrolling(
    browser: Any, dashboard: Dashboard, path: str
) -> None:
    context = browser.new_context(viewport={"width": 768, "height": 1024})
    try:
        page = context.new_page()
        sign_in(page, dashboard, target=path)
        shot = f"tablet_{path.strip('/').replace('/', '_')}.png"
        page.screenshot(path=str(dashboard.screenshots / shot), full_page=True)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 768
    finally:
        context.close()


def _comparison_groups(page: Any) -> list[str]:
    return [g for source in bokeh_sources(page, "group") for g in source["group"]
            if "(" in g]  # fmt: skip


def test_an_intervention_added_on_its_page_shows_as_a_marker_on_the_chart(
    page: Any, dashboard: Dashboard
) -> None:
    sign_in(page, dashboard, target="/dashboard/interventions")
    page.get_by_label("Indicator").select_option(label="Smoking at time of delivery")
    page.get_by_label("Date (YYYY-MM-DD)").fill("2024-06-01")
    page.get_by_label("What was done").fill("Tobacco dependence advisers in antenatal clinics")
    page.get_by_role("button", name="Add the intervention").click()
    page.get_by_text("It shows as a marker on the chart").wait_for()
    page.goto(dashboard.root + "/dashboard/smoking-and-bmi?indicator=smoking_at_delivery")
    wait_for_page(page)
    markers = [t for source in bokeh_sources(page, "text") for t in source["text"]]
    assert any("Tobacco dependence advisers" in t and t.startswith("2024-06-01") for t in markers)


def test_acknowledging_an_alert_changes_its_state(page: Any, dashboard: Dashboard) -> None:
    sign_in(page, dashboard, target="/dashboard/alerts")
    fingerprint = page.locator("[data-testid=alert-list] tbody tr td:last-child").first.inner_text()
    page.goto(f"{dashboard.root}/dashboard/alerts?alert={fingerprint}")
    wait_for_page(page)
    assert "firing" in page.get_by_test_id("alert-state").inner_text()
    page.get_by_label("Comment").fill("Midwifery lead reviewing")
    page.get_by_role("button", name="Acknowledge", exact=True).click()
    page.get_by_text("acknowledged by ana").wait_for()
    answer = httpx.get(f"{dashboard.root}/dashboard/alerts", follow_redirects=False)
    assert answer.status_code == 303  # still nobody else's to see


def test_a_viewer_cannot_acknowledge(page: Any, dashboard: Dashboard) -> None:
    sign_in(page, dashboard, name="vic", target="/dashboard/alerts")
    assert page.get_by_role("button", name="Acknowledge", exact=True).is_disabled()


def test_the_csv_download_holds_rounded_counts(page: Any, dashboard: Dashboard) -> None:
    sign_in(
        page,
        dashboard,
        target="/dashboard/perineal-trauma?stratification=ethnic_group&stratum=Asian",
    )
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the table (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text())))
    assert rows
    assert list(rows[0])[:5] == ["indicator", "grouped_by", "group", "group_code", "month"]
    assert set(rows[0]) >= {"month", "numerator", "denominator", "rate"}
    # Who the table is about, in words, the code beside.
    assert {(r["grouped_by"], r["group"], r["group_code"]) for r in rows} == {
        ("Ethnic group", "Asian or Asian British", "Asian")
    }
    for row in rows:
        for name in ("numerator", "denominator"):
            count = int(row[name])
            assert count == 0 or count % 5 == 0, row
        if 0 < int(row["numerator"]) <= 7:
            assert row["rate"] == ""


def test_the_planted_smoking_improvement_is_a_special_cause_point_on_its_chart(
    page: Any, dashboard: Dashboard
) -> None:
    sign_in(
        page,
        dashboard,
        target="/dashboard/smoking-and-bmi?indicator=smoking_at_delivery&stratification=overall",
    )
    signals = [s for source in bokeh_sources(page, "signal") for s in source["signal"]]
    assert "Special cause: improvement" in signals
    # Its national ambition: the assurance icon in words, and the target drawn on the chart.
    heading = page.get_by_role("heading", name="Smoking at time of delivery").locator("..")
    assert re.search(r"Assurance: .* against the target of 6 %", heading.inner_text())
    targets = page.evaluate(
        "() => Bokeh.documents.flatMap(d => Array.from(d.all_models))"
        ".filter(m => m.type === 'Span' && m.visible).map(m => m.location)"
    )
    assert targets == [6]
    assert "unlikely to be chance" in page.get_by_test_id("plain-language").inner_text() or (
        "improvement" in page.get_by_test_id("plain-language").inner_text()
    )
