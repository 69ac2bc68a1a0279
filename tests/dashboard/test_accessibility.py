"""WCAG 2.2 A and AA in the browser: axe-core over every dashboard page, signed in with the
demo-like data, with every chart's table opened, fails on any serious or critical violation;
and the accessibility statement is open to anyone."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.dashboard.accessibility import blocking, violations
from tests.dashboard.browser import wait_for_page
from tests.dashboard.conftest import Dashboard, sign_in
from tests.dashboard.test_browser import PAGES

OPEN_EVERY_DISCLOSURE = """() => { const walk = (root) => {
    for (const e of root.querySelectorAll('*')) {
        if (e.tagName === 'DETAILS') e.open = true;
        if (e.shadowRoot) walk(e.shadowRoot);
    } }; walk(document); }"""

CHECKED_PAGES = [
    *PAGES,
    "/dashboard/alerts?state=all",
    "/dashboard/perineal-trauma?stratification=ethnic_category&stratum=H",
    "/dashboard/birth-outcomes?stratification=imd_quintile",
]


@pytest.mark.parametrize("path", CHECKED_PAGES)
def test_a_page_has_no_serious_or_critical_wcag_violation(
    page: Any, dashboard: Dashboard, path: str
) -> None:
    sign_in(page, dashboard, target=path)
    page.evaluate(OPEN_EVERY_DISCLOSURE)
    assert blocking(violations(page)) == []


def test_the_sign_in_page_and_the_statement_have_no_serious_or_critical_violation(
    page: Any, dashboard: Dashboard
) -> None:
    for path in ("/dashboard/sign-in", "/dashboard/accessibility"):
        page.goto(dashboard.root + path)
        assert blocking(violations(page)) == [], path


def test_the_accessibility_statement_is_open_without_signing_in(dashboard: Dashboard) -> None:
    answer = httpx.get(f"{dashboard.root}/dashboard/accessibility", follow_redirects=False)
    assert answer.status_code == 200
    for words in ("partially compliant", "Non-accessible content", "Enforcement procedure",
                  "Reporting accessibility problems"):  # fmt: skip
        assert words in answer.text


def test_the_skip_link_is_first_and_moves_focus_to_the_page_heading(
    page: Any, dashboard: Dashboard
) -> None:
    sign_in(page, dashboard)
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED) == "A Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate(FOCUSED) == "H1 Overview"
    wait_for_page(page)


FOCUSED = """() => {
    let e = document.activeElement;
    while (e && e.shadowRoot && e.shadowRoot.activeElement) e = e.shadowRoot.activeElement;
    return e ? e.tagName + " " + e.textContent.trim().slice(0, 40) : "";
}"""
