"""The alerts against what the synthetic generator planted (`truth.json`): did each planted
event raise a special-cause alert on its series, and which special-cause alerts fired where
nothing was planted (the rules' false positives). Used by the demo and the tests."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.rules.definitions import AlertRule
from service.indicators.catalogue import Catalogue
from service.indicators.planted_events import series_key
from service.storage.models import Alert, IndicatorSeries


@dataclass
class AlertFindings:
    planted: list[dict[str, Any]] = field(default_factory=list)
    unplanted_special_cause: list[Alert] = field(default_factory=list)
    by_rule: Counter[str] = field(default_factory=Counter)
    special_cause_series_watched: int = 0  # series of indicators where nothing was planted

    @property
    def false_positive_share(self) -> float:
        watched = self.special_cause_series_watched
        return len(self.unplanted_special_cause) / watched if watched else 0.0


def alert_findings(
    session: Session, catalogue: Catalogue, rules: dict[str, AlertRule], truth: dict[str, Any]
) -> AlertFindings:
    special = {r.id for r in rules.values() if r.kind == "special_cause"}
    firing = list(session.scalars(select(Alert).where(Alert.status == "firing")))
    findings = AlertFindings(by_rule=Counter(a.rule_id for a in firing))
    planted_keys = set()
    for event in truth["injected_events"]:
        key = series_key(catalogue, event["indicator"], event["stratum"])
        planted_keys.add(key)
        raised = [a for a in firing if a.rule_id in special and key in _carried_by(a)]
        findings.planted.append(
            {
                "id": event["id"],
                "series": "/".join(key),
                "alerts": [f"{a.rule_id} ({a.fingerprint})" for a in raised],
                "found": bool(raised),
            }
        )
    planted_indicators = {key[0] for key in planted_keys}
    # An alert folding in a planted series' signal (triage: inhibition, hierarchy) counts as
    # raised on it; the others of its indicator are not false positives of the planted event.
    findings.unplanted_special_cause = [
        a for a in firing if a.rule_id in special and a.indicator_id not in planted_indicators
    ]
    findings.special_cause_series_watched = (
        session.scalar(
            select(func.count()).where(IndicatorSeries.indicator_id.not_in(planted_indicators))
        )
        or 0
    )
    return findings


def _carried_by(alert: Alert) -> set[tuple[str, str, str]]:
    """The series whose signals an alert carries: its own and those triage folded into it."""
    members = ((alert.evidence or {}).get("triage") or {}).get("members") or []
    return {(alert.indicator_id, alert.stratification, alert.stratum)} | {
        (str(m[0]), str(m[1]), str(m[2])) for m in members
    }
