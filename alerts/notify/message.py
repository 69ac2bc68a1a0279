"""What a notification says, before any channel renders it: one message per receiver per run,
listing its alerts. Evidence arrives disclosure-controlled; here it is only worded. Numbers are
worded with few digits, so no long digit run (which could read as an NHS number) appears."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

NoticeKind = Literal["firing", "repeat", "resolved"]
KIND_HEADINGS: dict[NoticeKind, str] = {
    "firing": "New",
    "repeat": "Still firing",
    "resolved": "Resolved",
}
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


@dataclass(frozen=True)
class AlertNotice:
    """One alert in a message."""

    fingerprint: str
    kind: NoticeKind
    rule_id: str
    rule_kind: str
    severity: str
    indicator_id: str
    indicator_title: str
    stratification: str
    stratum: str
    period: str
    summary: str
    evidence: Mapping[str, Any]
    chart_url: str
    acknowledge_url: str
    first_notified: str | None = None  # the first notice's message id (threading)


@dataclass(frozen=True)
class AlertMessage:
    receiver: str
    notices: tuple[AlertNotice, ...]
    dashboard_url: str
    run_label: str  # e.g. "2026-11-23 02:00 UTC", the time of the evaluation
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def ordered(self) -> list[AlertNotice]:
        kinds = list(KIND_HEADINGS)
        return sorted(
            self.notices,
            key=lambda n: (kinds.index(n.kind), SEVERITY_ORDER.get(n.severity, 3), n.summary),
        )

    @property
    def subject(self) -> str:
        counts = {kind: sum(n.kind == kind for n in self.notices) for kind in KIND_HEADINGS}
        parts = [
            f"{count} {KIND_HEADINGS[kind].lower()}" for kind, count in counts.items() if count
        ]
        lead = self.ordered[0].summary if self.notices else "no alerts"
        return f"[Perinatal equity] {', '.join(parts)}: {lead}"[:200]


def notices_by_kind(message: AlertMessage) -> list[tuple[str, list[AlertNotice]]]:
    return [
        (heading, [n for n in message.ordered if n.kind == kind])
        for kind, heading in KIND_HEADINGS.items()
        if any(n.kind == kind for n in message.notices)
    ]


def evidence_lines(evidence: Mapping[str, Any]) -> list[str]:
    """The evidence in plain words: the latest month against its limits, and the comparison
    with the reference group over the latest window where there is one."""
    lines = []
    unit = evidence.get("unit", "")
    rate = evidence.get("rate")
    period = evidence.get("period", "")
    counts = _counts(evidence)
    if rate is None:
        reason = evidence.get("not_shown_because") or "not shown"
        lines.append(f"{period}: rate not shown ({reason}){counts}")
    else:
        shown = f"{_number(rate)}%" if unit == "%" else f"{_number(rate)} {unit}"
        lines.append(f"{period}: {shown}{counts}")
    if evidence.get("mean") is not None:
        lines.append(
            f"Average {_number(evidence['mean'])}, process limits "
            f"{_number(evidence.get('lower_limit'))} to {_number(evidence.get('upper_limit'))}"
        )
    window = evidence.get("window")
    if window and window.get("ratio") is not None:
        lines.append(
            f"{window.get('from')} to {window.get('to')}: {_ratio(window['ratio'])} times the "
            f"rate of the reference group ({window.get('reference')}), 95% CI "
            f"{_ratio(window.get('ratio_lower'))} to {_ratio(window.get('ratio_upper'))}"
        )
    return lines


def _counts(evidence: Mapping[str, Any]) -> str:
    numerator, denominator = evidence.get("numerator"), evidence.get("denominator")
    if numerator is None and denominator is None:
        return ""
    return f" ({_count(numerator)} of {_count(denominator)})"


def _count(value: Any) -> str:
    return "suppressed" if value is None else str(value)


def _number(value: Any) -> str:
    if value is None:
        return "–"
    return f"{float(value):.1f}" if abs(float(value)) >= 1 else f"{float(value):.2f}"


def _ratio(value: Any) -> str:
    return "–" if value is None else f"{float(value):.2f}"


def by_severity(notices: Sequence[AlertNotice]) -> list[AlertNotice]:
    return sorted(notices, key=lambda n: SEVERITY_ORDER.get(n.severity, 3))
