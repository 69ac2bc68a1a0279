"""From the notices of one cycle to queued notifications: one message per receiver listing its
alerts, rendered for each of the receiver's channels, checked for identifiers, and written to
the outbox under an idempotency key. The alerts themselves become FHIR Communications (and
DetectedIssues) whose matching rest-hook Subscriptions get a notification each."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.notify import email, outbox_file, rest_hook, teams
from alerts.notify.chart_image import ChartSeries, spc_chart_png
from alerts.notify.fhir_resources import communication, detected_issue
from alerts.notify.identifiers import ensure_no_identifiers
from alerts.notify.message import AlertMessage, AlertNotice
from alerts.routing import AlertLabels, Receiver, Routing
from alerts.rules.definitions import AlertRule
from service.alerting.snapshots import group_name
from service.alerting.subscriptions import matching_subscriptions
from service.indicators import store
from service.indicators.catalogue import Catalogue
from service.indicators.months import month_label
from service.indicators.published import shown_rate
from service.storage.models import Alert, OutboxNotification
from service.storage.resource_writes import write_resources

CHARTS_PER_EMAIL = 6  # the rest are listed with a link: a message stays small to open


@dataclass(frozen=True)
class Queued:
    receiver: str
    channel: str
    fingerprints: tuple[str, ...]


def notice_of(
    alert: Alert, kind: str, rule: AlertRule | None, catalogue: Catalogue, base_url: str
) -> AlertNotice:
    """`rule` is the alert's rule (None for one since removed from the rules: read as a
    special cause on the rate's chart)."""
    indicator = catalogue.indicators.get(alert.indicator_id)
    query = urlencode(
        {
            "indicator": alert.indicator_id,
            "stratification": alert.stratification,
            "stratum": alert.stratum,
        }
    )
    return AlertNotice(
        fingerprint=alert.fingerprint,
        kind=kind,  # type: ignore[arg-type]
        rule_id=alert.rule_id,
        rule_kind=rule.kind if rule else "special_cause",
        severity=alert.severity,
        indicator_id=alert.indicator_id,
        indicator_title=indicator.title if indicator else alert.indicator_id,
        stratification=alert.stratification,
        stratum=alert.stratum,
        stratum_title=group_name(catalogue, alert.stratification, alert.stratum),
        rule_chart=rule.chart if rule else "rate",
        period=alert.last_period,
        summary=alert.summary,
        evidence={**alert.evidence, "per": indicator.per if indicator else 100},
        chart_url=f"{base_url}/dashboard/indicator?{query}",
        acknowledge_url=f"{base_url}/dashboard/alerts?alert={alert.fingerprint}",
    )


def labels_of(notice: AlertNotice, catalogue: Catalogue) -> AlertLabels:
    indicator = catalogue.indicators.get(notice.indicator_id)
    tags = {notice.rule_kind, *([indicator.topic] if indicator else [])}
    return AlertLabels(
        rule=notice.rule_id,
        indicator=notice.indicator_id,
        tags=frozenset(tags),
        stratum_kind=notice.stratification,
        severity=notice.severity,
    )


def queue_notices(
    session: Session,
    notices: Sequence[tuple[Alert, AlertNotice]],
    *,
    routing: Routing,
    catalogue: Catalogue,
    base_url: str,
    email_from: str,
    now: datetime,
    digest_top: int = 10,
) -> list[Queued]:
    by_receiver: dict[str, list[tuple[Alert, AlertNotice]]] = defaultdict(list)
    for alert, notice in notices:
        for receiver in routing.receivers_for(labels_of(notice, catalogue)):
            by_receiver[receiver].append((alert, notice))
    queued: list[Queued] = []
    charts = _ChartCache(session, catalogue)
    for name, pairs in sorted(by_receiver.items()):
        to = routing.receivers[name]
        message = AlertMessage(
            receiver=name,
            notices=tuple(n for _, n in pairs),
            dashboard_url=f"{base_url}/dashboard",
            run_label=now.strftime("%d %b %Y, %H:%M UTC"),
            top=digest_top,
        )
        queued += _queue_message(session, to, message, pairs, charts, email_from, now)
        if to.fhir_subscribers:
            queued += _queue_fhir(session, pairs, now)
    return queued


def _queue_message(
    session: Session,
    receiver: Receiver,
    message: AlertMessage,
    pairs: list[tuple[Alert, AlertNotice]],
    charts: _ChartCache,
    email_from: str,
    now: datetime,
) -> list[Queued]:
    queued = []
    fingerprints = tuple(n.fingerprint for n in message.notices)
    for channel in receiver.channels:
        if channel == "rest-hook":
            continue  # the FHIR resources are queued once per alert, not per message
        target = _target(receiver, channel)
        key = idempotency_key(receiver.name, channel, target, message.notices, now)
        if channel == "email":
            thread = [a.threads[receiver.name] for a, _ in pairs if receiver.name in a.threads]
            built = email.build_email(
                message,
                sender=email_from,
                recipients=receiver.email,
                idempotency_key=key,
                sent_at=now,
                charts=charts.pictures(message.notices),
                in_reply_to=thread,
            )
            for part in built.walk():
                if part.get_content_type() in ("text/plain", "text/html"):
                    ensure_no_identifiers(part.get_content(), f"email to {receiver.name}")
            ensure_no_identifiers(message.subject, f"email to {receiver.name}")
            payload, content_type = email.wire_format(built), email.CONTENT_TYPE
            for alert, notice in pairs:
                if notice.kind == "firing":
                    alert.threads = {**alert.threads, receiver.name: email.message_id(key)}
        elif channel == "teams":
            payload = orjson.dumps(teams.teams_payload(message)).decode()
            ensure_no_identifiers(payload, f"Teams card to {receiver.name}")
            content_type = teams.CONTENT_TYPE
        else:
            payload = orjson.dumps(outbox_file.file_payload(message)).decode()
            ensure_no_identifiers(payload, f"outbox file for {receiver.name}")
            content_type = outbox_file.CONTENT_TYPE
        if enqueue(
            session, key, receiver.name, channel, target, content_type, payload, fingerprints, now
        ):
            queued.append(Queued(receiver.name, channel, fingerprints))
    return queued


def _target(receiver: Receiver, channel: str) -> str:
    if channel == "email":
        return ", ".join(receiver.email)
    if channel == "teams":
        return str(receiver.teams_webhook_url)
    return str(receiver.outbox_file)


def _queue_fhir(
    session: Session, pairs: list[tuple[Alert, AlertNotice]], now: datetime
) -> list[Queued]:
    """Each alert notice once as FHIR (however many receivers it went to), and a notification
    to every rest-hook Subscription whose criteria it meets."""
    resources = []
    for alert, notice in pairs:
        resource_id = (
            "alert-" + _digest(notice.fingerprint, notice.kind, notice.period, now.isoformat())[:40]
        )
        first = alert.threads.get("fhir") if notice.kind != "firing" else None
        if notice.kind == "firing":
            alert.threads = {**alert.threads, "fhir": resource_id}
        resources.append(communication(notice, resource_id, now, first))
        if notice.rule_kind == "data_quality":
            resources.append(detected_issue(notice, resource_id, now))
    statuses = write_resources(session, resources, now=now)
    queued = []
    written = [r for r in resources if statuses.get((r["resourceType"], r["id"])) != "unchanged"]
    for resource in written:
        payload = orjson.dumps(resource).decode()
        ensure_no_identifiers(payload, f"{resource['resourceType']}/{resource['id']}")
        for subscription in matching_subscriptions(session, resource):
            target = rest_hook.rest_hook_target(subscription)
            key = _digest("rest-hook", subscription["id"], resource["resourceType"], resource["id"])
            fingerprint = resource["identifier"][0]["value"]
            if enqueue(
                session,
                key,
                f"Subscription/{subscription['id']}",
                rest_hook.CHANNEL,
                target,
                rest_hook.FHIR_JSON,
                payload,
                (fingerprint,),
                now,
            ):
                queued.append(
                    Queued(f"Subscription/{subscription['id']}", "rest-hook", (fingerprint,))
                )
    return queued


def idempotency_key(
    receiver: str, channel: str, target: str, notices: Iterable[AlertNotice], now: datetime
) -> str:
    """The same notices to the same place make the same key; a repeat reminder is new each
    day it is due."""
    parts = sorted(
        f"{n.fingerprint}:{n.kind}:{n.period}" + (f":{now.date()}" if n.kind == "repeat" else "")
        for n in notices
    )
    return _digest(receiver, channel, target, *parts)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:48]


def enqueue(
    session: Session,
    key: str,
    receiver: str,
    channel: str,
    target: str,
    content_type: str,
    payload: str,
    fingerprints: Sequence[str],
    now: datetime,
) -> bool:
    """Queue it unless a notification with this key exists (then nothing: no duplicate)."""
    exists = session.scalar(
        select(OutboxNotification.id).where(OutboxNotification.idempotency_key == key)
    )
    if exists is not None:
        return False
    session.add(
        OutboxNotification(
            idempotency_key=key,
            receiver=receiver,
            channel=channel,
            target=target,
            content_type=content_type,
            payload=payload,
            fingerprints={"alerts": list(fingerprints)},
            status="queued",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
    )
    return True


class _ChartCache:
    """Charts for the first alerts of a message, each rendered once per cycle."""

    def __init__(self, session: Session, catalogue: Catalogue) -> None:
        self.session = session
        self.catalogue = catalogue
        self.rendered: dict[str, bytes | None] = {}

    def pictures(self, notices: Sequence[AlertNotice]) -> dict[str, bytes]:
        pictures = {}
        for notice in [n for n in notices if n.kind != "resolved"][:CHARTS_PER_EMAIL]:
            if notice.fingerprint not in self.rendered:
                self.rendered[notice.fingerprint] = self._render(notice)
            png = self.rendered[notice.fingerprint]
            if png is not None:
                pictures[notice.fingerprint] = png
        return pictures

    def _render(self, notice: AlertNotice) -> bytes | None:
        indicator = self.catalogue.indicators.get(notice.indicator_id)
        rows = [
            r
            for r in store.series_rows(self.session, notice.indicator_id, notice.stratification)
            if r.stratum == notice.stratum
        ]
        if indicator is None or not rows:
            return None
        points = store.decode_points(rows[0].points)
        rates = [
            shown_rate(n, d, indicator.per, ok)["rate"]
            for n, d, ok in zip(
                points["numerator"], points["denominator"], points["dq_pass"], strict=True
            )
        ]
        title = indicator.title
        if notice.stratification != "overall":
            title += f": {notice.stratum_title or notice.stratum}"
        return spc_chart_png(
            ChartSeries(
                title=title,
                periods=[month_label(m) for m in points["month"]],
                rates=rates,
                centre=points["centre"],
                lower=points["lower_limit"],
                upper=points["upper_limit"],
                point_types=points["point_type"],
                unit=f"per {indicator.per:,} {indicator.unit_label}",
            )
        )
