"""Microsoft Teams through a Power Automate "Workflows" webhook (Office 365 connectors are
retired): an Adaptive Card 1.4 in the Workflows message envelope, the night's digest (the top
alerts one line each, the rest counted and linked) kept under 20,000 bytes, well inside the
28 KB a card may be, and a sender that posts at most about one request a second per webhook."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
import orjson

from alerts.notify.delivery import (
    USER_AGENT,
    DeliveryResult,
    Outgoing,
    connection_failure,
    http_result,
)
from alerts.notify.message import AlertMessage, AlertNotice, headline, notices_by_kind

CHANNEL = "teams"
CONTENT_TYPE = "application/json"
CARD_VERSION = "1.4"
MAX_CARD_BYTES = 20_000
SEVERITY_COLOURS = {"high": "Attention", "medium": "Warning", "low": "Default"}


def workflows_envelope(card: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


def teams_payload(message: AlertMessage) -> dict[str, Any]:
    """The envelope of the digest's card, its top alerts fewer only if a card would otherwise
    be over the size limit; the alerts not shown are counted and left to the dashboard link."""
    digest, _ = message.digest
    for shown in range(len(digest), -1, -1):
        envelope = workflows_envelope(adaptive_card(message, digest[:shown], len(message.notices)))
        if len(orjson.dumps(envelope)) <= MAX_CARD_BYTES:
            return envelope
    raise ValueError("even an empty card is over the Teams size limit")  # pragma: no cover


def adaptive_card(message: AlertMessage, shown: list[AlertNotice], total: int) -> dict[str, Any]:
    body: list[dict[str, Any]] = [
        _text(f"Perinatal equity alerts, {message.run_label}", weight="Bolder", size="Medium")
    ]
    counts = {heading: len(notices) for heading, notices in notices_by_kind(message)}
    for heading, notices in notices_by_kind(message, shown):
        body.append(_text(f"{heading} ({counts[heading]})", weight="Bolder", separator=True))
        body += [_notice(notice) for notice in notices]
    if len(shown) < total:
        body.append(
            _text(
                f"{total - len(shown)} more alerts, in priority order on the dashboard.",
                isSubtle=True,
            )
        )
    body.append(_text("Aggregate figures only; small numbers suppressed.", isSubtle=True))
    return {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "body": body,
        "actions": [
            {"type": "Action.OpenUrl", "title": "Open the alerts", "url": message.dashboard_url}
        ],
    }


def _notice(notice: AlertNotice) -> dict[str, Any]:
    """One line in words, and where to look and acknowledge."""
    actions = [{"type": "Action.OpenUrl", "title": "Open the chart", "url": notice.chart_url}]
    if notice.kind != "resolved":
        actions.append(
            {"type": "Action.OpenUrl", "title": "Acknowledge", "url": notice.acknowledge_url}
        )
    return {
        "type": "Container",
        "spacing": "Small",
        "items": [
            _text(
                f"{notice.severity.capitalize()}: {headline(notice)}",
                color=SEVERITY_COLOURS.get(notice.severity, "Default"),
            ),
            {"type": "ActionSet", "actions": actions},
        ],
    }


def _text(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


class TeamsSender:
    """Posts the queued envelope. Workflows answer 202 Accepted (200 from some tenants);
    both mean delivered."""

    channel = CHANNEL

    def __init__(
        self,
        client: httpx.Client,
        *,
        now: Callable[[], datetime],
        min_interval_seconds: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.now = now
        self.min_interval = min_interval_seconds
        self.monotonic = monotonic
        self.sleep = sleep
        self._last_post: dict[str, float] = {}

    def send(self, outgoing: Outgoing) -> DeliveryResult:
        self._pace(outgoing.target)
        try:
            response = self.client.post(
                outgoing.target,
                content=outgoing.payload.encode(),
                headers={
                    "Content-Type": CONTENT_TYPE,
                    "Idempotency-Key": outgoing.idempotency_key,
                    "User-Agent": USER_AGENT,
                },
            )
        except httpx.HTTPError as error:
            return connection_failure(error)
        return http_result(response, self.now())

    def _pace(self, webhook: str) -> None:
        last = self._last_post.get(webhook)
        if last is not None:
            wait = self.min_interval - (self.monotonic() - last)
            if wait > 0:
                self.sleep(wait)
        self._last_post[webhook] = self.monotonic()
