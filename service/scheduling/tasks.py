"""What the scheduled jobs do, as plain functions: the scheduler runs them on their triggers,
`perinatal demo` and the CLI run them once."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from service.alerting.evaluation import EvaluationReport, evaluate_alerts
from service.alerting.outbox import DeliveryReport, deliver_due
from service.alerting.receivers import routing_for
from service.alerting.senders import http_client, senders_for
from service.clock import Clock
from service.config import Settings
from service.indicators.catalogue import load_catalogue


def evaluate(settings: Settings, sessions: sessionmaker[Session], clock: Clock) -> EvaluationReport:
    return evaluate_alerts(
        sessions,
        catalogue=load_catalogue(),
        routing=routing_for(settings),
        base_url=str(settings.public_base_url).rstrip("/"),
        email_from=str(settings.alert_email_from or "alerts@perinatal-equity.invalid"),
        now=clock,
    )


def recompute(
    settings: Settings, sessions: sessionmaker[Session], clock: Clock, *, full: bool = True
) -> EvaluationReport:
    """Recompute the indicators, then evaluate the alerts on the new results."""
    from service.indicators.run import compute

    compute(sessions, now=clock, full=full)
    return evaluate(settings, sessions, clock)


def refresh_queued(settings: Settings, sessions: sessionmaker[Session], clock: Clock) -> None:
    """Ingest projects what it loads; writes through the FHIR API wait here for the next run,
    and so do the indicator months they change. Alerts are evaluated on what changed."""
    from service.indicators.run import compute
    from service.projection.precedence import load_precedence
    from service.projection.refresh import queued_patients, refresh

    with sessions() as session:
        waiting = queued_patients(session)
    if waiting:
        refresh(sessions, precedence=load_precedence(settings.precedence_file))
    report = compute(sessions, now=clock, full=False)
    if report.months_counted:
        evaluate(settings, sessions, clock)


def deliver(settings: Settings, sessions: sessionmaker[Session], clock: Clock) -> DeliveryReport:
    with http_client() as http:
        return deliver_due(sessions, senders_for(settings, http=http, now=clock), now=clock)
