"""axe-core, run in the page, for the accessibility checks: the WCAG 2.0, 2.1 and 2.2 rules at
levels A and AA, and what of them is serious or critical (what the browser tests fail on).

axe-core's own version is the one `axe-playwright-python` bundles (4.12). It reads open shadow
roots, which is where Panel draws every pane."""

from __future__ import annotations

from typing import Any

WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
BLOCKING_IMPACTS = {"serious", "critical"}


def violations(page: Any) -> list[dict[str, Any]]:
    """Every WCAG A/AA rule the page breaks as it stands, as axe-core reports them."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": WCAG_A_AA}, "resultTypes": ["violations"]}
    return list(Axe().run(page, options=options).response["violations"])


def blocking(found: list[dict[str, Any]]) -> list[str]:
    """The serious and critical ones, one line each: the rule, what it asks, and where."""
    return [
        f"{v['id']} ({v['impact']}): {v['help']}: {len(v['nodes'])} element(s), first "
        f"{' > '.join(_target(v['nodes'][0]))}: {v['nodes'][0].get('failureSummary', '')}"
        for v in found
        if v.get("impact") in BLOCKING_IMPACTS
    ]


def _target(node: dict[str, Any]) -> list[str]:
    # A target inside shadow roots is a list of selectors, one per root crossed.
    return [t if isinstance(t, str) else " >> ".join(t) for t in node["target"]]
