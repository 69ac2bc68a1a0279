"""Driving the dashboard in Debian's Chromium through Playwright, shared by the browser tests,
`bench/dashboard.py` and the demo-data check (`tests/dashboard/demo_check.py`)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

CHROMIUM = os.environ.get("PERINATAL_TEST_CHROMIUM", "/usr/bin/chromium")
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


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def sign_in(page: Any, root: str, name: str, password: str, target: str = "/dashboard") -> None:
    page.goto(root + target)
    page.fill("#name", name)
    page.fill("#password", password)
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


def chart_titles(page: Any) -> list[str]:
    """The titles of the charts on the page, as drawn."""
    return page.evaluate(
        """() => Bokeh.documents.flatMap(doc => Array.from(doc.all_models))
            .filter(m => m.title && typeof m.title.text === "string" && m.title.text)
            .map(m => m.title.text)"""
    )


def texts_read(page: Any) -> dict[str, list[str]]:
    """What a reader sees on the page, shadow roots included (Panel draws into them): every
    text node outside style and script, every selector option, and of the charts their
    titles, axis categories, legend entries and axis labels."""
    return page.evaluate(
        """() => {
            const roots = [document];
            for (let i = 0; i < roots.length; i++)
                for (const el of roots[i].querySelectorAll('*'))
                    if (el.shadowRoot) roots.push(el.shadowRoot);
            const text = [], options = [];
            for (const root of roots) {
                const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
                for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                    const parent = node.parentElement;
                    if (parent && ['STYLE', 'SCRIPT'].includes(parent.tagName)) continue;
                    if (node.nodeValue.trim()) text.push(node.nodeValue.trim());
                }
                for (const option of root.querySelectorAll('option'))
                    options.push(option.textContent.trim());
            }
            const models = (window.Bokeh ? Bokeh.documents : [])
                .flatMap(doc => Array.from(doc.all_models));
            const words = v => (v && typeof v === 'object' && 'value' in v) ? v.value : v;
            const factors = models.filter(m => Array.isArray(m.factors))
                .flatMap(m => m.factors.flat().map(String));
            const legends = models.filter(m => m.type === 'LegendItem')
                .map(m => String(words(m.label) ?? ''));
            const titles = models.filter(m => m.title && typeof m.title.text === 'string')
                .map(m => m.title.text)
                .concat(models.filter(m => typeof m.axis_label === 'string')
                    .map(m => m.axis_label));
            return {text, options, factors, legends, titles};
        }"""
    )


class Console:
    """The browser console's errors and the page's uncaught exceptions."""

    def __init__(self, page: Any) -> None:
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
