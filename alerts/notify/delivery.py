"""The one interface every channel's sender implements, and what a delivery attempt reports:
delivered, or failed and whether trying again could help (and when, if the receiver said)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Protocol

import httpx

# Worth retrying (Alertmanager's rule): timeouts, rate limiting and server errors.
RETRYABLE_STATUS = {408, 429}
USER_AGENT = "perinatal-equity-alerts/0.1"


@dataclass(frozen=True)
class Outgoing:
    """One queued notification as a sender sees it."""

    idempotency_key: str
    target: str
    content_type: str
    payload: str


@dataclass(frozen=True)
class DeliveryResult:
    delivered: bool
    retryable: bool = False
    status_code: int | None = None
    error: str | None = None
    retry_after_seconds: float | None = None

    @classmethod
    def ok(cls, status_code: int | None = None) -> DeliveryResult:
        return cls(True, status_code=status_code)


class Sender(Protocol):
    channel: str

    def send(self, outgoing: Outgoing) -> DeliveryResult: ...


def http_result(response: httpx.Response, now: datetime) -> DeliveryResult:
    """2xx delivered; 408, 429 and 5xx retryable (honouring Retry-After); other 4xx final."""
    status = response.status_code
    if 200 <= status < 300:
        return DeliveryResult.ok(status)
    retryable = status in RETRYABLE_STATUS or status >= 500
    return DeliveryResult(
        delivered=False,
        retryable=retryable,
        status_code=status,
        error=f"HTTP {status}: {response.text[:200]}".strip(),
        retry_after_seconds=retry_after(response.headers.get("retry-after"), now),
    )


def retry_after(header: str | None, now: datetime) -> float | None:
    """Retry-After as seconds: either delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not header:
        return None
    header = header.strip()
    if header.isdigit():
        return float(header)
    try:
        when = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def connection_failure(error: Exception) -> DeliveryResult:
    return DeliveryResult(False, retryable=True, error=f"{type(error).__name__}: {error}"[:300])
