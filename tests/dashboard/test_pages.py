"""The dashboard's pages as data (`dashboard/pages.yaml`): what the Overview may hold and where a
link to an indicator goes."""

from __future__ import annotations

import pytest

from dashboard.shell import load_pages
from service.indicators.catalogue import load_catalogue

KNOWN = set(load_catalogue().indicators)


def test_a_link_to_an_indicator_opens_its_own_page_not_the_cross_cutting_deprivation_page() -> None:
    pages = load_pages(KNOWN)
    homes = {i: pages.topic_of(i) for i in ("term_nnu_admission", "pmh_referral", "oasi")}
    assert {i: t.route for i, t in homes.items() if t} == {
        "term_nnu_admission": "neonatal",
        "pmh_referral": "mental-health",
        "oasi": "perineal-trauma",
    }
    assert all(not pages.topic_of(m).cross_cutting for m in pages.measures)  # type: ignore[union-attr]


def test_the_overview_holds_at_most_eight_measures() -> None:
    with pytest.raises(ValueError, match="at most 8, not 9"):
        load_pages(KNOWN, sorted(KNOWN)[:9])


def test_an_unknown_indicator_is_named() -> None:
    with pytest.raises(ValueError, match="unknown indicator 'oasi_rate'"):
        load_pages(KNOWN, ["oasi_rate"])
