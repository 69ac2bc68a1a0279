"""The alert evaluation job: read the latest indicator results, run one evaluation cycle, and
in one transaction store the alert changes and queue their notifications. Re-running it on the
same results changes nothing and queues nothing."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from alerts.routing import Routing
from alerts.rules.cycle import evaluation_cycle, held_back
from alerts.rules.definitions import AlertRule, load_rules
from alerts.triage.funnel import triage
from alerts.triage.policy import TriagePolicy, load_policy
from service.alerting import alert_store
from service.alerting.compose import Queued, notice_of, queue_notices
from service.alerting.snapshots import series_snapshots
from service.alerting.triage_inputs import indicator_facts, references
from service.indicators.catalogue import Catalogue

log = logging.getLogger(__name__)


@dataclass
class EvaluationReport:
    series: int = 0
    transitions: Counter[str] = field(default_factory=Counter)
    notices: Counter[str] = field(default_factory=Counter)
    silenced: int = 0
    queued: list[Queued] = field(default_factory=list)
    firing: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    # raised → after each triage stage → notified (alerts told of this cycle)
    funnel: dict[str, int] = field(default_factory=dict)


def evaluate_alerts(
    sessions: sessionmaker[Session],
    *,
    catalogue: Catalogue,
    routing: Routing,
    base_url: str,
    email_from: str,
    now: Callable[[], datetime],
    rules: dict[str, AlertRule] | None = None,
    policy: TriagePolicy | None = None,
) -> EvaluationReport:
    rules = rules or load_rules()
    policy = policy or load_policy(rules)
    report = EvaluationReport()
    started = time.perf_counter()
    at = now()
    with sessions.begin() as session:
        snapshots = series_snapshots(session, catalogue)
        known = alert_store.known_alerts(session)
        silences = alert_store.active_silences(session, at)
        triaged = triage(
            rules,
            snapshots,
            policy,
            indicator_facts(catalogue),
            references(catalogue),
            catalogue.summary_window_months,
            held=held_back(rules, snapshots),
        )
        changes = evaluation_cycle(
            rules,
            snapshots,
            known,
            silences,
            at,
            timedelta(hours=routing.repeat_interval_hours),
            triaged,
        )
        report.seconds["evaluate"] = round(time.perf_counter() - started, 3)
        notices = []
        for change in changes:
            alert = alert_store.apply_change(session, change, at)
            if change.transition:
                report.transitions[change.transition] += 1
            if change.notice is None or alert is None:
                continue
            if change.silenced_by is not None:
                report.silenced += 1
                if change.transition:
                    alert_store.record(
                        session,
                        alert.fingerprint,
                        "silenced",
                        at,
                        period=alert.last_period,
                        detail={"silence": change.silenced_by, "notice": change.notice},
                    )
                continue
            report.notices[change.notice] += 1
            rule = rules.get(alert.rule_id)
            notices.append((alert, notice_of(alert, change.notice, rule, catalogue, base_url)))
        report.queued = queue_notices(
            session,
            notices,
            routing=routing,
            catalogue=catalogue,
            base_url=base_url,
            email_from=email_from,
            now=at,
            digest_top=policy.digest.top,
        )
        told = sorted({alert.fingerprint for alert, _ in notices})
        report.funnel = {**triaged.funnel, "notified": len(told)}
        alert_store.mark_notified(session, told, at)
        for fingerprint in told:
            alert_store.record(session, fingerprint, "notified", at)
        report.series = len(snapshots)
        session.flush()
        report.firing = alert_store.count_firing(session)
    report.seconds["total"] = round(time.perf_counter() - started, 3)
    log.info(
        "alerts evaluated over %d series: %s; %d notifications queued in %.2f s",
        report.series,
        dict(report.transitions) or "no change",
        len(report.queued),
        report.seconds["total"],
    )
    return report
