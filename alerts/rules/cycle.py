"""One evaluation cycle, pure: the latest series snapshots and the stored alerts in, the alert
changes and the notices due out. The service applies them in one transaction.

Per rule and watched series, the lifecycle advances by the series' latest period (idempotent:
the same period twice changes nothing). A notice is due when an alert fires (or fires again),
when it resolves, and, for an alert still firing, unacknowledged and unmuted, when
`repeat_interval` has passed since the last notice. A silenced alert still changes state;
its notice is recorded as silenced instead of sent. Series a data-quality signal holds back
are not counted this cycle, so their clinical alerts neither fire nor resolve on bad data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from alerts.notify.message import NoticeKind
from alerts.rules.definitions import AlertRule
from alerts.rules.evaluation import SeriesSnapshot, Signal, fingerprint, holds, signal_of
from alerts.rules.lifecycle import AlertState, Transition, advance
from alerts.rules.silences import SilenceWindow, muting

if TYPE_CHECKING:
    from alerts.triage.funnel import Triage


@dataclass(frozen=True)
class KnownAlert:
    """What the cycle needs of a stored alert."""

    state: AlertState
    acknowledged: bool
    last_notified_at: datetime | None


@dataclass(frozen=True)
class AlertChange:
    signal: Signal  # the rule on the series now (its evidence, even when not signalling)
    rule_kind: str
    before: AlertState | None
    after: AlertState | None
    transition: Transition | None
    notice: NoticeKind | None
    silenced_by: int | None = None


NOTICE_OF: dict[Transition, NoticeKind] = {
    "fired": "firing",
    "refired": "firing",
    "resolved": "resolved",
}


def evaluation_cycle(
    rules: Mapping[str, AlertRule],
    snapshots: Iterable[SeriesSnapshot],
    known: Mapping[str, KnownAlert],
    silences: Iterable[SilenceWindow],
    now: datetime,
    repeat_interval: timedelta,
    triaged: Triage | None = None,
) -> list[AlertChange]:
    """With `triaged`, a clinical rule signals on a series only where triage carried it (the
    rest were folded into another alert or judged not worth telling); without, wherever it
    holds."""
    snapshots = list(snapshots)
    silences = list(silences)
    held = held_back(rules, snapshots)
    changes = []
    for snapshot in snapshots:
        for rule in rules.values():
            if not rule.watches(snapshot.stratification):
                continue
            if (rule.id, snapshot.indicator_id) in held:
                continue
            change = _advance(rule, snapshot, known, silences, now, repeat_interval, triaged)
            if change is not None:
                changes.append(change)
    return changes


def held_back(
    rules: Mapping[str, AlertRule], snapshots: list[SeriesSnapshot]
) -> set[tuple[str, str]]:
    return {
        (held_rule, snapshot.indicator_id)
        for snapshot in snapshots
        for rule in rules.values()
        if rule.holds_back and holds(rule, snapshot)
        for held_rule in rule.holds_back
    }


def _advance(
    rule: AlertRule,
    snapshot: SeriesSnapshot,
    known: Mapping[str, KnownAlert],
    silences: list[SilenceWindow],
    now: datetime,
    repeat_interval: timedelta,
    triaged: Triage | None,
) -> AlertChange | None:
    key = fingerprint(rule.id, snapshot.indicator_id, snapshot.stratification, snapshot.stratum)
    stored = known.get(key)
    before = stored.state if stored else None
    judged = triaged is not None and rule.kind != "data_quality"
    carried = triaged.carried.get(key) if triaged is not None else None
    signalled = carried is not None if judged else holds(rule, snapshot)
    step = advance(before, rule, key, snapshot.period, signalled)
    notice = NOTICE_OF.get(step.transition) if step.transition else None
    if notice is None and stored and _never_told(stored, step.state):
        notice = "firing"  # fired while silenced, or before any receiver was configured
    if notice is None and stored and _repeat_due(stored, step.state, now, repeat_interval):
        notice = "repeat"
    if step.state == before and notice is None:
        return None
    signal = signal_of(rule, snapshot)
    if carried is not None:
        signal = replace(signal, evidence={**signal.evidence, "triage": carried.evidence()})
    silenced_by = muting(silences, labels_of(signal), now) if notice else None
    return AlertChange(signal, rule.kind, before, step.state, step.transition, notice, silenced_by)


def _never_told(stored: KnownAlert, after: AlertState | None) -> bool:
    return (
        after is not None
        and after.status == "firing"
        and not stored.acknowledged
        and stored.last_notified_at is None
    )


def _repeat_due(
    stored: KnownAlert, after: AlertState | None, now: datetime, interval: timedelta
) -> bool:
    return (
        after is not None
        and after.status == "firing"
        and not stored.acknowledged
        and stored.last_notified_at is not None
        and now - stored.last_notified_at >= interval
    )


def labels_of(signal: Signal) -> dict[str, str]:
    """What silences match on."""
    return {
        "fingerprint": signal.fingerprint,
        "rule": signal.rule_id,
        "indicator": signal.indicator_id,
        "stratification": signal.stratification,
        "stratum": signal.stratum,
        "severity": signal.severity,
    }
