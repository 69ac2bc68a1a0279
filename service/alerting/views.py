"""Alerts, silences and the delivery log as they leave the service (API and CLI). The evidence
is already disclosure-controlled; delivery targets are shown without secrets (a webhook URL
carries its signature in the query string, so only its host is shown)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import orjson
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.notify.message import headline, priority_order
from alerts.rules.definitions import AlertRule
from service.indicators.catalogue import Catalogue
from service.storage.models import Alert, AlertEvent, DeliveryAttempt, OutboxNotification, Silence

STATUSES = ("pending", "firing", "resolved")


def alert_view(alert: Alert) -> dict[str, Any]:
    return {
        "fingerprint": alert.fingerprint,
        "status": alert.status,
        "acknowledged": alert.acknowledged_at is not None,
        "rule": alert.rule_id,
        "severity": alert.severity,
        "indicator": alert.indicator_id,
        "stratification": alert.stratification,
        "stratum": alert.stratum,
        "period": alert.last_period,
        "summary": alert.summary,
        "evidence": alert.evidence,
        "started_at": _iso(alert.started_at),
        "fired_at": _iso(alert.fired_at),
        "resolved_at": _iso(alert.resolved_at),
        "last_notified_at": _iso(alert.last_notified_at),
        "acknowledged_by": alert.acknowledged_by,
        "acknowledged_at": _iso(alert.acknowledged_at),
        "acknowledgement": alert.acknowledgement,
    }


def list_alerts(
    session: Session,
    *,
    status: str | None = None,
    indicator: str | None = None,
    severity: str | None = None,
    rule: str | None = None,
    stratification: str | None = None,
    acknowledged: bool | None = None,
) -> list[dict[str, Any]]:
    query = select(Alert).order_by(Alert.updated_at.desc(), Alert.fingerprint)
    for column, value in (
        (Alert.status, status),
        (Alert.indicator_id, indicator),
        (Alert.severity, severity),
        (Alert.rule_id, rule),
        (Alert.stratification, stratification),
    ):
        if value is not None:
            query = query.where(column == value)
    if acknowledged is not None:
        query = query.where(
            Alert.acknowledged_at.is_not(None) if acknowledged else Alert.acknowledged_at.is_(None)
        )
    return [alert_view(a) for a in session.scalars(query)]


def open_alerts(
    session: Session, catalogue: Catalogue, rules: Mapping[str, AlertRule]
) -> list[dict[str, Any]]:
    """The alerts not yet resolved, most important first (the digest's order), each with its
    one line in words (`headline`) as the nightly message tells it."""
    from service.alerting.compose import notice_of

    alerts = session.scalars(select(Alert).where(Alert.status != "resolved"))
    told = [
        (alert, notice_of(alert, "firing", rules.get(alert.rule_id), catalogue, ""))
        for alert in alerts
    ]
    told.sort(key=lambda pair: priority_order(pair[1]))
    return [{**alert_view(alert), "headline": headline(notice)} for alert, notice in told]


def alert_history(session: Session, fingerprint: str) -> list[dict[str, Any]]:
    events = session.scalars(
        select(AlertEvent)
        .where(AlertEvent.fingerprint == fingerprint)
        .order_by(AlertEvent.at, AlertEvent.id)
    )
    return [
        {
            "at": _iso(e.at),
            "change": e.change,
            "period": e.period,
            "actor": e.actor,
            "detail": orjson.loads(e.detail) if e.detail else None,
        }
        for e in events
    ]


def silence_view(silence: Silence, now: datetime) -> dict[str, Any]:
    active = silence.expired_at is None and silence.starts_at <= now < silence.ends_at
    return {
        "id": silence.id,
        "matchers": silence.matchers,
        "starts_at": _iso(silence.starts_at),
        "ends_at": _iso(silence.ends_at),
        "reason": silence.reason,
        "author": silence.author,
        "created_at": _iso(silence.created_at),
        "expired_at": _iso(silence.expired_at),
        "active": active,
    }


def list_silences(session: Session, now: datetime) -> list[dict[str, Any]]:
    rows = session.scalars(select(Silence).order_by(Silence.created_at.desc(), Silence.id.desc()))
    return [silence_view(s, now) for s in rows]


def delivery_log(
    session: Session,
    *,
    outcome: str | None = None,
    receiver: str | None = None,
    channel: str | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    query = (
        select(DeliveryAttempt, OutboxNotification)
        .join(OutboxNotification, OutboxNotification.id == DeliveryAttempt.notification_id)
        .order_by(DeliveryAttempt.at.desc(), DeliveryAttempt.id.desc())
        .limit(limit)
    )
    for column, value in (
        (DeliveryAttempt.outcome, outcome),
        (DeliveryAttempt.receiver, receiver),
        (DeliveryAttempt.channel, channel),
    ):
        if value is not None:
            query = query.where(column == value)
    return [
        {
            "at": _iso(attempt.at),
            "notification": notification.id,
            "idempotency_key": notification.idempotency_key,
            "receiver": attempt.receiver,
            "channel": attempt.channel,
            "target": shown_target(notification.channel, notification.target),
            "outcome": attempt.outcome,
            "status_code": attempt.status_code,
            "error": attempt.error,
            "retry_at": _iso(attempt.retry_at),
            "duration_ms": attempt.duration_ms,
            "alerts": notification.fingerprints.get("alerts", []),
            "notification_status": notification.status,
        }
        for attempt, notification in session.execute(query)
    ]


def outbox_counts(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(OutboxNotification.status, func.count()).group_by(OutboxNotification.status)
    )
    return {status: count for status, count in rows}


def shown_target(channel: str, target: str) -> str:
    if channel in ("teams", "rest-hook"):
        url = orjson.loads(target)["endpoint"] if channel == "rest-hook" else target
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}{parts.path}"
    return target


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
