"""The alerts against what the synthetic generator planted (`truth.json`): did each planted
event raise a special-cause alert on its series, and which special-cause alerts fired where
nothing was planted (the rules' false positives), and whether each inequality the population is
built with (`planted_inequalities`) is carried by a disparity alert, its own or folded in. Used
by the demo and the tests."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.rules.definitions import AlertRule
from alerts.rules.evaluation import GRADIENT
from fhir_mappings.ethnicity import BROAD_GROUP
from service.indicators.catalogue import Catalogue
from service.indicators.planted_events import series_key
from service.storage.models import Alert, IndicatorSeries


@dataclass
class AlertFindings:
    planted: list[dict[str, Any]] = field(default_factory=list)
    inequalities: list[dict[str, Any]] = field(default_factory=list)
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
        raised = [a for a in firing if any(r in special and k == key for r, k in _carried_by(a))]
        findings.planted.append(
            {
                "id": event["id"],
                "series": "/".join(key),
                "alerts": [f"{a.rule_id} ({a.fingerprint})" for a in raised],
                "found": bool(raised),
            }
        )
    disparities = {r.id for r in rules.values() if r.kind == "disparity"}
    for planted in truth.get("planted_inequalities") or []:
        question = QUESTIONS.get(str(planted["stratification"]), {str(planted["stratification"])})
        carriers = [
            a
            for a in firing
            if any(
                rule in disparities
                and indicator == planted["indicator"]
                and stratification in question
                and _within(catalogue, stratification, stratum, str(planted["group"]))
                for rule, (indicator, stratification, stratum) in _carried_by(a)
            )
        ]
        findings.inequalities.append(
            {
                **planted,
                "alerts": [f"{a.rule_id} ({a.fingerprint})" for a in carriers],
                "found": bool(carriers),
                # False: planted, but the region's own births do not show it significantly.
                "shown": planted.get("shown") is not False,
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


# The stratifications that answer the question a planted inequality is of.
QUESTIONS = {
    "ethnic_group": {"ethnic_group", "ethnic_category"},
    "imd_quintile": {"imd_quintile", "imd_decile"},
}


def _within(catalogue: Catalogue, stratification: str, stratum: str, group: str) -> bool:
    """Whether a carried series is of the planted group: the group itself, one of its ethnic
    categories, the most deprived decile of the most deprived quintile, or the gradient."""
    if stratum in (group, GRADIENT):
        return True
    if stratification == "ethnic_category":
        return BROAD_GROUP.get(stratum) == group
    if stratification == "imd_decile":
        return group == "1" and stratum in ("1", "2")
    return False


def _carried_by(alert: Alert) -> set[tuple[str, tuple[str, str, str]]]:
    """The (rule, series) signals an alert carries: its own and those triage folded in."""
    members = ((alert.evidence or {}).get("triage") or {}).get("members") or []
    return {(alert.rule_id, (alert.indicator_id, alert.stratification, alert.stratum))} | {
        (str(m[0]), (str(m[1]), str(m[2]), str(m[3]))) for m in members
    }
