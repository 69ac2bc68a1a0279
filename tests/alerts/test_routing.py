"""Routing as data: loading with errors that say where, and matching."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from alerts.routing import AlertLabels, RoutingError, load_routing, parse_routing

EXAMPLE = Path(__file__).parents[2] / "alerts" / "routing" / "routes.example.yaml"


def labels(**changes: Any) -> AlertLabels:
    base: dict[str, Any] = {
        "rule": "special_cause_concern_group",
        "indicator": "oasi",
        "tags": frozenset({"perineal_trauma", "special_cause"}),
        "stratum_kind": "ethnic_group",
        "severity": "medium",
    }
    return AlertLabels(**{**base, **changes})


def test_the_example_file_routes_by_tag_with_continue_and_default() -> None:
    routing = load_routing(EXAMPLE)
    assert routing.receivers_for(labels()) == ("maternity-safety",)
    disparity = labels(rule="disparity_red", tags=frozenset({"disparity", "perineal_trauma"}))
    assert routing.receivers_for(disparity) == ("equity-lead", "maternity-safety")
    quality = labels(rule="data_quality_gate", tags=frozenset({"data_quality"}), severity="low")
    assert routing.receivers_for(quality) == ("data-quality",)
    assert routing.receivers_for(labels(severity="low")) == ("maternity-safety",)  # default
    assert routing.receivers["maternity-safety"].channels == ("email", "teams", "rest-hook")


def document(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "receivers": [{"name": "team", "email": ["team@example.nhs.uk"]}],
        "routes": [{"match": {"indicator": ["oasi"]}, "receivers": ["team"]}],
        "default_receiver": "team",
    }
    return {**base, **changes}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"default_receiver": "nobody"}, "default_receiver: 'nobody' is not a declared receiver"),
        (
            {"routes": [{"match": {"colour": "red"}, "receivers": ["team"]}]},
            "route #1: match: 'colour' is not one of",
        ),
        (
            {"routes": [{"match": {"severity": "urgent"}, "receivers": ["team"]}]},
            "route #1: match: severity is one of high, medium, low",
        ),
        ({"routes": [{"receivers": ["ghost"]}]}, "route #1: receivers: 'ghost' is not a declared"),
        (
            {"receivers": [{"name": "team", "email": ["not-an-address"]}]},
            "receiver team: email 'not-an-address' is not an email address",
        ),
        ({"receivers": [{"name": "team"}]}, "receiver team: give at least one of email"),
        (
            {"receivers": [{"name": "team", "teams_webhook_url": "ftp://x"}]},
            "receiver team: teams_webhook_url must be an http(s) URL",
        ),
    ],
)
def test_a_mistake_names_where_it_is(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(RoutingError, match=re.escape(message)):
        parse_routing(document(**changes))


def test_an_unreadable_file_names_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "routes.yaml"
    broken.write_text("receivers: [unclosed")
    with pytest.raises(RoutingError, match=r"routes\.yaml"):
        load_routing(broken)
