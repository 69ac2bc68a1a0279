"""The alert state in the database: read what the evaluation cycle needs, write its changes,
and the people's actions (acknowledge, resolve by hand, silence). Every change is an
`alert_event`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from alerts.rules.cycle import AlertChange, KnownAlert
from alerts.rules.lifecycle import AlertState
from alerts.rules.silences import SilenceWindow, check_matchers
from service.indicators.errors import InvalidRequestError, NotFoundError
from service.storage.models import Alert, AlertEvent, Silence


def known_alerts(session: Session) -> dict[str, KnownAlert]:
    return {
        row.fingerprint: KnownAlert(
            state=AlertState(
                row.fingerprint,
                row.status,  # type: ignore[arg-type]
                row.last_period,
                row.periods_with_signal,
                row.periods_without_signal,
            ),
            acknowledged=row.acknowledged_at is not None,
            last_notified_at=row.last_notified_at,
        )
        for row in session.scalars(select(Alert))
    }


def active_silences(session: Session, now: datetime) -> list[SilenceWindow]:
    rows = session.scalars(
        select(Silence).where(Silence.ends_at > now, Silence.expired_at.is_(None))
    )
    return [SilenceWindow(r.id, r.matchers, r.starts_at, r.ends_at) for r in rows]


def record(
    session: Session,
    fingerprint: str,
    change: str,
    now: datetime,
    *,
    period: str | None = None,
    actor: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    session.add(
        AlertEvent(
            fingerprint=fingerprint,
            at=now,
            change=change,
            period=period,
            actor=actor,
            detail=orjson.dumps(detail).decode() if detail else None,
        )
    )


def apply_change(session: Session, change: AlertChange, now: datetime) -> Alert | None:
    """Store the alert after the change (a dropped pending alert is deleted) and record it."""
    signal = change.signal
    row = session.get(Alert, signal.fingerprint)
    after = change.after
    if change.transition:
        record(session, signal.fingerprint, change.transition, now, period=signal.period)
    if after is None:
        if row is not None:
            session.delete(row)
        return None
    if row is None or change.transition == "refired":
        row = _fresh(row, change, now)
        session.add(row)
    row.status = after.status
    row.last_period = after.last_period
    row.periods_with_signal = after.periods_with_signal
    row.periods_without_signal = after.periods_without_signal
    row.summary = signal.summary
    row.evidence = dict(signal.evidence)
    row.severity = signal.severity
    row.updated_at = now
    if change.transition in ("fired", "refired"):
        row.fired_at = now
    if change.transition == "resolved":
        row.resolved_at = now
    return row


def _fresh(row: Alert | None, change: AlertChange, now: datetime) -> Alert:
    """A new alert, or a new episode of a resolved one: unacknowledged, not yet notified."""
    signal = change.signal
    row = row or Alert(fingerprint=signal.fingerprint)
    row.rule_id = signal.rule_id
    row.indicator_id = signal.indicator_id
    row.stratification = signal.stratification
    row.stratum = signal.stratum
    row.started_at = now
    row.fired_at = None
    row.resolved_at = None
    row.last_notified_at = None
    row.threads = {}
    row.acknowledged_by = row.acknowledged_at = row.acknowledgement = None
    return row


def alert_or_404(session: Session, fingerprint: str) -> Alert:
    row = session.get(Alert, fingerprint)
    if row is None:
        raise NotFoundError(f"no alert {fingerprint!r}")
    return row


def acknowledge(
    session: Session, fingerprint: str, *, by: str, comment: str | None, now: datetime
) -> Alert:
    row = alert_or_404(session, fingerprint)
    if row.status == "resolved":
        raise InvalidRequestError("status: a resolved alert cannot be acknowledged")
    row.acknowledged_by, row.acknowledged_at, row.acknowledgement = by, now, comment
    row.updated_at = now
    record(session, fingerprint, "acknowledged", now, actor=by, detail={"comment": comment})
    return row


def resolve_by_hand(
    session: Session, fingerprint: str, *, by: str, comment: str | None, now: datetime
) -> Alert:
    """Closes the episode; the next period with the signal opens a new one (and notifies)."""
    row = alert_or_404(session, fingerprint)
    if row.status == "resolved":
        raise InvalidRequestError("status: the alert is already resolved")
    row.status, row.resolved_at, row.updated_at = "resolved", now, now
    record(session, fingerprint, "resolved_by_hand", now, actor=by, detail={"comment": comment})
    return row


def add_silence(
    session: Session,
    *,
    matchers: dict[str, str],
    ends_at: datetime,
    reason: str,
    author: str,
    now: datetime,
    starts_at: datetime | None = None,
) -> Silence:
    try:
        check_matchers(matchers)
    except ValueError as error:
        raise InvalidRequestError(str(error)) from None
    starts_at = starts_at or now
    if ends_at <= starts_at:
        raise InvalidRequestError("ends_at: a silence must end after it starts")
    if not reason.strip():
        raise InvalidRequestError("reason: say why the alerts are silenced")
    silence = Silence(
        matchers=matchers,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
        author=author,
        created_at=now,
    )
    session.add(silence)
    session.flush()
    return silence


def expire_silence(session: Session, silence_id: int, now: datetime) -> Silence:
    silence = session.get(Silence, silence_id)
    if silence is None:
        raise NotFoundError(f"no silence {silence_id}")
    if silence.expired_at is None and silence.ends_at > now:
        silence.expired_at = now
    return silence


def mark_notified(session: Session, fingerprints: list[str], now: datetime) -> None:
    if fingerprints:
        session.execute(
            update(Alert).where(Alert.fingerprint.in_(fingerprints)).values(last_notified_at=now)
        )


def count_firing(session: Session) -> int:
    return session.scalar(select(func.count()).where(Alert.status == "firing")) or 0
