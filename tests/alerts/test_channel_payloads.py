"""What each channel builds, checked without sending: the Teams card is a valid Adaptive Card
1.4 in the Workflows envelope and stays under 28 KB; the email is multipart with the chart
inline; nothing carries an identifier; retry timing follows Retry-After and backoff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest

from alerts.notify.delivery import retry_after
from alerts.notify.email import build_email, chart_cid
from alerts.notify.identifiers import find_identifiers
from alerts.notify.message import AlertMessage, AlertNotice, headline
from alerts.notify.teams import MAX_CARD_BYTES, teams_payload
from service.alerting.outbox import backoff

NOW = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)

# From the Adaptive Cards 1.4 schema (adaptivecards.io/schemas/1.4.0): each element type we
# use, the properties it may have (additionalProperties is false) and those it needs.
ALLOWED = {
    "AdaptiveCard": {"type", "version", "body", "actions", "$schema", "fallbackText", "lang"},
    "TextBlock": {
        "type",
        "text",
        "color",
        "fontType",
        "horizontalAlignment",
        "isSubtle",
        "maxLines",
        "size",
        "weight",
        "wrap",
        "style",
        "fallback",
        "height",
        "separator",
        "spacing",
        "id",
        "isVisible",
        "requires",
    },
    "Container": {
        "type",
        "items",
        "selectAction",
        "style",
        "verticalContentAlignment",
        "bleed",
        "backgroundImage",
        "minHeight",
        "rtl",
        "fallback",
        "height",
        "separator",
        "spacing",
        "id",
        "isVisible",
        "requires",
    },
    "ActionSet": {
        "type",
        "actions",
        "fallback",
        "height",
        "separator",
        "spacing",
        "id",
        "isVisible",
        "requires",
    },
    "Action.OpenUrl": {"type", "url", "title", "iconUrl", "style", "fallback", "requires", "id"},
}
REQUIRED = {
    "TextBlock": {"text"},
    "Container": {"items"},
    "ActionSet": {"actions"},
    "Action.OpenUrl": {"url"},
    "AdaptiveCard": {"version"},
}
ENUMS = {
    "color": {"Default", "Dark", "Light", "Accent", "Good", "Warning", "Attention"},
    "weight": {"Default", "Lighter", "Bolder"},
    "size": {"Default", "Small", "Medium", "Large", "ExtraLarge"},
    "spacing": {"Default", "None", "Small", "Medium", "Large", "ExtraLarge", "Padding"},
}


def check_element(element: dict[str, Any], path: str) -> list[str]:
    kind = element.get("type")
    if kind not in ALLOWED:
        return [f"{path}: {kind!r} is not an element this card may use"]
    problems = [f"{path}.{key}: not allowed on {kind}" for key in set(element) - ALLOWED[kind]]
    problems += [f"{path}: {kind} needs {key}" for key in REQUIRED.get(kind, set()) - set(element)]
    for key, values in ENUMS.items():
        if key in element and str(element[key]).lower() not in {v.lower() for v in values}:
            problems.append(f"{path}.{key}: {element[key]!r} is not one of {sorted(values)}")
    for key in ("body", "items", "actions"):
        for i, child in enumerate(element.get(key, [])):
            problems += check_element(child, f"{path}.{key}[{i}]")
    return problems


def check_workflows_envelope(payload: dict[str, Any]) -> dict[str, Any]:
    assert payload["type"] == "message"
    [attachment] = payload["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert attachment["contentUrl"] is None
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard"
    assert card["version"] == "1.4"
    assert check_element(card, "card") == []
    assert len(orjson.dumps(payload)) <= MAX_CARD_BYTES
    return card


def notice(i: int = 0, kind: str = "firing", **changes: Any) -> AlertNotice:
    base: dict[str, Any] = {
        "fingerprint": f"{i:020x}",
        "kind": kind,
        "rule_id": "special_cause_concern_group",
        "rule_kind": "special_cause",
        "severity": "medium",
        "indicator_id": "oasi",
        "indicator_title": "Third- or fourth-degree tear",
        "stratification": "ethnic_group",
        "stratum": "Asian",
        "stratum_title": "Asian or Asian British",
        "period": "2025-06",
        "summary": f"Third- or fourth-degree tear shows special-cause concern for Asian ({i})",
        "evidence": {
            "period": "2025-06",
            "unit": "per 1,000",
            "rate": 87.6,
            "numerator": 25,
            "denominator": 285,
            "mean": 40.1,
            "lower_limit": 0.0,
            "upper_limit": 81.2,
            "window": {
                "from": "2024-07",
                "to": "2025-06",
                "ratio": 2.1,
                "ratio_lower": 1.6,
                "ratio_upper": 2.8,
                "reference": "White",
            },
        },
        "chart_url": "https://perinatal.example.nhs.uk/dashboard/indicator?indicator=oasi",
        "acknowledge_url": f"https://perinatal.example.nhs.uk/dashboard/alerts?alert={i:020x}",
    }
    return AlertNotice(**{**base, **changes})


def message(notices: list[AlertNotice]) -> AlertMessage:
    return AlertMessage(
        "team",
        tuple(notices),
        "https://perinatal.example.nhs.uk/dashboard",
        "5 Jan 2026, 02:00 UTC",
    )


def test_the_teams_card_is_adaptive_card_1_4_with_chart_and_acknowledge_links() -> None:
    card = check_workflows_envelope(teams_payload(message([notice(1), notice(2, "resolved")])))
    actions = [
        (a["title"], a["url"])
        for element in card["body"]
        if element["type"] == "Container"
        for item in element["items"]
        if item["type"] == "ActionSet"
        for a in item["actions"]
    ]
    assert ("Open the chart", notice(1).chart_url) in actions
    assert ("Acknowledge", notice(1).acknowledge_url) in actions
    assert ("Acknowledge", notice(2).acknowledge_url) not in actions  # resolved: nothing to ack
    text = orjson.dumps(card).decode()
    # One line in words: what, for whom, how big, since when.
    assert (
        "Medium: Third- or fourth-degree tear for Asian or Asian British: special-cause concern "
        "in 2025-06: 87.6 per 1,000 against an average of 40.1"
    ) in text


def test_a_special_cause_says_which_way_and_by_which_rule_in_words() -> None:
    causes = {
        "2025-03": ["shift", "special_cause_concern"],
        "2025-05": ["outside_limits", "special_cause_concern"],
        "2025-06": ["trend", "special_cause_improvement"],
    }
    evidence = {**notice().evidence, "special_causes": causes, "improvement": "decrease"}
    # Lower is better: concern is upward; the latest month of the alert's own kind is told.
    assert headline(notice(evidence=evidence)) == (
        "Third- or fourth-degree tear for Asian or Asian British: above its upper process limit "
        "in 2025-05 (special-cause concern): 87.6 per 1,000 in 2025-06 against an average of 40.1"
    )
    # Higher is better (breastfeeding): a concern is a fall, an improvement a rise.
    rising = {**evidence, "improvement": "increase"}
    improving = notice(rule_id="special_cause_improvement_overall", evidence=rising)
    assert "rising 7 months in a row, to 2025-06 (special-cause improvement)" in headline(improving)
    assert "below its lower process limit in 2025-05" in headline(notice(evidence=rising))


def test_a_widening_gap_is_told_as_the_gap_between_the_groups() -> None:
    widening = notice(rule_id="gap_widening", rule_chart="gap")
    assert headline(widening) == (
        "Third- or fourth-degree tear: the gap between Asian or Asian British and White is "
        "widening (special-cause concern on its gap chart, 2025-06)"
    )


def test_a_card_with_hundreds_of_alerts_is_the_top_ten_by_priority_under_20000_bytes() -> None:
    ranked = [
        notice(i, evidence={**notice(i).evidence, "triage": {"priority": float(i)}})
        for i in range(400)
    ]
    payload = teams_payload(message(ranked))
    assert len(orjson.dumps(payload)) < 20_000
    card = check_workflows_envelope(payload)
    told = [
        item["text"]
        for element in card["body"]
        if element["type"] == "Container"
        for item in element["items"]
        if item["type"] == "TextBlock"
    ]
    assert len(told) == 10
    # The highest priorities first (alert 399's summary is not shown; its figures are).
    assert [n.fingerprint for n in message(ranked).digest[0]][:2] == [f"{399:020x}", f"{398:020x}"]
    left = [
        b["text"] for b in card["body"] if "more alerts, in priority order" in b.get("text", "")
    ]
    assert left[0].startswith("390 more alerts")


def test_the_email_is_multipart_with_each_chart_inline_and_threaded() -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 100
    email = build_email(
        message([notice(1), notice(2)]),
        sender="alerts@example.nhs.uk",
        recipients=["team@example.nhs.uk"],
        idempotency_key="k1",
        sent_at=NOW,
        charts={notice(1).fingerprint: png},
        in_reply_to=["<first@perinatal-equity>"],
    )
    assert email["Message-ID"] == "<k1@perinatal-equity>"
    assert email["In-Reply-To"] == "<first@perinatal-equity>"
    assert email.get_content_type() == "multipart/alternative"
    plain, related = email.get_payload()  # type: ignore[misc]
    assert plain.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    html, image = related.get_payload()
    assert f'src="cid:{chart_cid(notice(1).fingerprint)}"' in html.get_content()
    assert image["Content-ID"] == f"<{chart_cid(notice(1).fingerprint)}>"
    assert image.get_content() == png
    assert notice(1).chart_url in plain.get_content()


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("NHS number 943 476 5919 here", ["NHS number"]),
        ("9434765919", ["NHS number"]),
        ("9434765918", []),  # fails the check digit
        ("fingerprint 5f7680615306e0", []),  # a digit run inside a key is not a number
        ("rate 0.9434765919", []),
        ("born 2024-03-08", ["date"]),
        ("born 08/03/2024", ["date"]),
        ("sent 2026-01-05T02:00:00+00:00", []),  # a timestamp, not a date of birth
        ("month 2025-06", []),
        ("lives at LS1 4AP", ["postcode"]),
        ("site ZZ102", []),
    ],
)
def test_the_identifier_scan(text: str, kinds: list[str]) -> None:
    found = find_identifiers(text)
    assert [k for k in ("NHS number", "date", "postcode") if any(k in f for f in found)] == kinds


def test_retry_after_in_seconds_or_as_a_date_and_exponential_backoff() -> None:
    assert retry_after("3", NOW) == 3.0
    assert retry_after("Mon, 05 Jan 2026 02:00:10 GMT", NOW) == 10.0
    assert retry_after("soon", NOW) is None
    assert [backoff(n, None) for n in (1, 2, 3)] == [timedelta(seconds=s) for s in (30, 60, 120)]
    assert backoff(20, None) == timedelta(hours=1)
    assert backoff(1, 7.0) == timedelta(seconds=7)
