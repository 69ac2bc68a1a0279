"""The delivery worker: take each due notification, claim it, send it through its channel,
and record the attempt. A delivered notification is marked in its own transaction right
after the send, so a worker killed mid-batch loses at most the one in flight, which stays
claimed until its claim lapses and is then sent again under the same idempotency key.

Retries back off exponentially (30 s, 1 min, 2 min, … up to an hour), or wait as long as the
receiver's Retry-After asks; a final answer (another 4xx, a 5xx SMTP reply) gives up at once.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from alerts.notify import rest_hook
from alerts.notify.delivery import DeliveryResult, Outgoing, Sender
from service.alerting import subscriptions
from service.storage.models import DeliveryAttempt, OutboxNotification

log = logging.getLogger(__name__)

FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
MOST_ATTEMPTS = 48  # about two days of hourly tries after the first hour
CLAIM = timedelta(minutes=5)


@dataclass
class DeliveryReport:
    outcomes: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def attempted(self) -> int:
        return sum(self.outcomes.values())


def backoff(attempts: int, retry_after_seconds: float | None) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt."""
    if retry_after_seconds is not None:
        return timedelta(seconds=retry_after_seconds)
    wait: timedelta = FIRST_RETRY * 2 ** (attempts - 1)
    return min(wait, LONGEST_WAIT)


def deliver_due(
    sessions: sessionmaker[Session],
    senders: Mapping[str, Sender],
    *,
    now: Callable[[], datetime],
    limit: int = 1000,
) -> DeliveryReport:
    report = DeliveryReport()
    started = time.perf_counter()
    with sessions() as session:
        due = list(
            session.scalars(
                select(OutboxNotification.id)
                .where(_claimable(now()))
                .order_by(OutboxNotification.next_attempt_at, OutboxNotification.id)
                .limit(limit)
            )
        )
    for notification_id in due:
        outgoing = _claim(sessions, notification_id, now())
        if outgoing is None:
            continue  # another worker took it
        notification, channel, receiver, attempts = outgoing
        sender = senders.get(channel)
        began = time.perf_counter()
        if sender is None:
            result = DeliveryResult(False, error=f"no {channel} sender is configured")
        else:
            result = sender.send(notification)
        elapsed_ms = int((time.perf_counter() - began) * 1000)
        outcome = _record(
            sessions, notification_id, receiver, channel, attempts, result, elapsed_ms, now()
        )
        report.outcomes[outcome] += 1
    report.seconds = round(time.perf_counter() - started, 3)
    if report.attempted:
        log.info("outbox: %s in %.2f s", dict(report.outcomes), report.seconds)
    return report


def _claimable(at: datetime):  # type: ignore[no-untyped-def]
    queued = (OutboxNotification.status == "queued") & (OutboxNotification.next_attempt_at <= at)
    abandoned = (OutboxNotification.status == "sending") & (OutboxNotification.claimed_until < at)
    return or_(queued, abandoned)


def _claim(
    sessions: sessionmaker[Session], notification_id: int, at: datetime
) -> tuple[Outgoing, str, str, int] | None:
    """Atomically mark it `sending` (one UPDATE that only succeeds if it is still claimable)."""
    with sessions.begin() as session:
        claimed = session.execute(
            update(OutboxNotification)
            .where(OutboxNotification.id == notification_id, _claimable(at))
            .values(status="sending", claimed_until=at + CLAIM)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return None
        row = session.get_one(OutboxNotification, notification_id)
        outgoing = Outgoing(row.idempotency_key, row.target, row.content_type, row.payload)
        return outgoing, row.channel, row.receiver, row.attempts + 1


def _record(
    sessions: sessionmaker[Session],
    notification_id: int,
    receiver: str,
    channel: str,
    attempts: int,
    result: DeliveryResult,
    elapsed_ms: int,
    at: datetime,
) -> str:
    with sessions.begin() as session:
        row = session.get_one(OutboxNotification, notification_id)
        row.attempts = attempts
        row.claimed_until = None
        retry_at = None
        if result.delivered:
            outcome, row.status, row.delivered_at, row.last_error = (
                "delivered",
                "delivered",
                at,
                None,
            )
        elif result.retryable and attempts < MOST_ATTEMPTS:
            retry_at = at + backoff(attempts, result.retry_after_seconds)
            outcome, row.status, row.next_attempt_at = "retry", "queued", retry_at
            row.last_error = result.error
        else:
            outcome, row.status, row.last_error = "failed", "failed", result.error
        session.add(
            DeliveryAttempt(
                notification_id=notification_id,
                at=at,
                receiver=receiver,
                channel=channel,
                outcome=outcome,
                status_code=result.status_code,
                error=result.error,
                retry_at=retry_at,
                duration_ms=elapsed_ms,
            )
        )
        if channel == rest_hook.CHANNEL and outcome != "retry":
            subscriptions.record_outcome(session, receiver, result.delivered, result.error, at)
    if outcome == "failed":
        log.warning(
            "outbox: gave up on notification %d to %s: %s", notification_id, receiver, result.error
        )
    return outcome
