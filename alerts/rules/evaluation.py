"""Which rules signal on the latest results: one `Signal` per rule and series whose condition
holds, with a stable fingerprint (rule + indicator + stratum) and its evidence. A data-quality
signal on an indicator holds back the clinical signals it names on every series of that
indicator, since their numbers are unreliable while it stands."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from alerts.rules.definitions import AlertRule

# The stratum of a stratification's deprivation gradient (its SII and RII across the quantiles),
# read as a series of its own: it signals when the gradient is significantly against the more
# deprived.
GRADIENT = "gradient"


@dataclass(frozen=True)
class SeriesSnapshot:
    """The latest state of one indicator series, as the indicator results give it. `evidence`
    is already disclosure-controlled: it goes into messages as it is."""

    indicator_id: str
    indicator_title: str
    stratification: str
    stratum: str
    period: str  # YYYY-MM of the latest month with a usable value
    point_type: str
    traffic_light: str | None
    latest_month_complete: bool
    evidence: Mapping[str, Any] = field(default_factory=dict)
    # The point types of the latest periods, latest first (point_type is the first).
    recent_point_types: tuple[str, ...] = ()
    stratification_title: str = ""  # in words, for messages ("ethnic group")
    stratum_title: str = ""  # the group in words ("Asian or Asian British: Pakistani")
    # (numerator, denominator) per month, oldest first, to the indicator's latest month: what
    # triage tests persistence on. Raw counts: never put into a message.
    monthly: tuple[tuple[int, int], ...] = ()
    # The gap chart's point types (the group's difference from its reference), latest first.
    recent_gap_point_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class Signal:
    fingerprint: str
    rule_id: str
    severity: str
    indicator_id: str
    stratification: str
    stratum: str
    period: str
    summary: str
    evidence: Mapping[str, Any]


def fingerprint(rule_id: str, indicator_id: str, stratification: str, stratum: str) -> str:
    """Stable across runs: the same rule on the same series is the same alert."""
    key = "\x1f".join((rule_id, indicator_id, stratification, stratum))
    return hashlib.sha256(key.encode()).hexdigest()[:20]


def holds(rule: AlertRule, snapshot: SeriesSnapshot) -> bool:
    if not rule.watches(snapshot.stratification):
        return False
    if (snapshot.stratum == GRADIENT) != (rule.series == "gradient"):
        return False
    if rule.kind == "special_cause":
        if rule.chart == "gap":
            return rule.point_type in snapshot.recent_gap_point_types[: rule.lookback_periods]
        recent = snapshot.recent_point_types or (snapshot.point_type,)
        return rule.point_type in recent[: rule.lookback_periods]
    if rule.kind == "disparity":
        return snapshot.traffic_light == rule.traffic_light
    return not snapshot.latest_month_complete


def evaluate(rules: Mapping[str, AlertRule], snapshots: Iterable[SeriesSnapshot]) -> list[Signal]:
    """Every signal the rules raise on these snapshots, held-back ones removed, in a stable
    order (rule, indicator, stratification, stratum)."""
    raised = [
        signal_of(rule, snapshot)
        for snapshot in snapshots
        for rule in rules.values()
        if holds(rule, snapshot)
    ]
    held = {
        (held_rule, signal.indicator_id)
        for signal in raised
        for held_rule in rules[signal.rule_id].holds_back
    }
    kept = [s for s in raised if (s.rule_id, s.indicator_id) not in held]
    return sorted(kept, key=lambda s: (s.rule_id, s.indicator_id, s.stratification, s.stratum))


def signal_of(rule: AlertRule, snapshot: SeriesSnapshot) -> Signal:
    return Signal(
        fingerprint=fingerprint(
            rule.id, snapshot.indicator_id, snapshot.stratification, snapshot.stratum
        ),
        rule_id=rule.id,
        severity=rule.severity,
        indicator_id=snapshot.indicator_id,
        stratification=snapshot.stratification,
        stratum=snapshot.stratum,
        period=snapshot.period,
        summary=rule.summary.format(
            indicator=snapshot.indicator_title,
            stratification=snapshot.stratification_title or snapshot.stratification,
            stratum=snapshot.stratum_title or snapshot.stratum,
            period=_signal_period(rule, snapshot),
        ),
        evidence=dict(snapshot.evidence),
    )


def _signal_period(rule: AlertRule, snapshot: SeriesSnapshot) -> str:
    """The month a special-cause rule saw its point in (the latest unless it looked back)."""
    chart = snapshot.recent_gap_point_types if rule.chart == "gap" else snapshot.recent_point_types
    recent = chart[: rule.lookback_periods]
    if rule.kind != "special_cause" or rule.point_type not in recent:
        return snapshot.period
    back = recent.index(rule.point_type)
    year, month = int(snapshot.period[:4]), int(snapshot.period[5:7]) - back
    while month < 1:
        year, month = year - 1, month + 12
    return f"{year:04d}-{month:02d}"
