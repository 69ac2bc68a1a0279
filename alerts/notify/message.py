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
    stratum_title: str = ""  # the group in words ("Black or Black British")
    rule_chart: str = "rate"  # the chart a special-cause rule read: the rate's or the gap's

    @property
    def priority(self) -> float:
        """Triage's priority (alerts/rules/triage.yaml), 0 where it gave none."""
        return float((self.evidence.get("triage") or {}).get("priority") or 0.0)


def priority_order(notice: AlertNotice) -> tuple[float, int, str]:
    """The order alerts are told in, in a digest and on the Overview alike: triage's priority,
    then severity, then the words."""
    return (-notice.priority, SEVERITY_ORDER.get(notice.severity, 3), notice.summary)


@dataclass(frozen=True)
class AlertMessage:
    receiver: str
    notices: tuple[AlertNotice, ...]
    dashboard_url: str
    run_label: str  # e.g. "2026-11-23 02:00 UTC", the time of the evaluation
    headers: Mapping[str, str] = field(default_factory=dict)
    top: int = 10  # the digest tells this many in full; the rest are counted and linked

    @property
    def ordered(self) -> list[AlertNotice]:
        """New before still firing before resolved; within each, by triage's priority."""
        kinds = list(KIND_HEADINGS)
        return sorted(self.notices, key=lambda n: (kinds.index(n.kind), *priority_order(n)))

    @property
    def digest(self) -> tuple[list[AlertNotice], int]:
        """The notices told in full, in order, and how many more there are."""
        ordered = self.ordered
        return ordered[: self.top], max(len(ordered) - self.top, 0)

    @property
    def subject(self) -> str:
        counts = {kind: sum(n.kind == kind for n in self.notices) for kind in KIND_HEADINGS}
        parts = [
            f"{count} {KIND_HEADINGS[kind].lower()}" for kind, count in counts.items() if count
        ]
        lead = self.ordered[0].summary if self.notices else "no alerts"
        return f"[Perinatal equity] {', '.join(parts)}: {lead}"[:200]


def notices_by_kind(
    message: AlertMessage, notices: Sequence[AlertNotice] | None = None
) -> list[tuple[str, list[AlertNotice]]]:
    """`notices` (the message's, in order, by default) under their kind's heading."""
    shown = message.ordered if notices is None else list(notices)
    return [
        (heading, [n for n in shown if n.kind == kind])
        for kind, heading in KIND_HEADINGS.items()
        if any(n.kind == kind for n in shown)
    ]


def headline(notice: AlertNotice) -> str:
    """The alert in one line a clinician reads at a glance: what, for whom, how big, since
    when; "(and 3 more)" where triage folded other signals into it."""
    evidence = notice.evidence
    window = evidence.get("window") or {}
    unit = _unit(evidence)
    folded = len((evidence.get("triage") or {}).get("folded") or [])
    more = f" (and {folded} more)" if folded else ""
    group = notice.stratum_title or notice.stratum
    if notice.kind == "resolved":
        return f"Resolved: {notice.summary}"
    gradient = evidence.get("gradient")
    ratio = window.get("ratio")
    if gradient is not None and ratio:
        side = "higher" if ratio >= 1 else "lower"
        times = ratio if ratio >= 1 else 1 / ratio
        return (
            f"{notice.indicator_title}: {_ratio_words(times)} {side} in the most deprived areas "
            f"than in the least deprived{more}"
        )
    if notice.rule_kind == "disparity" and ratio:
        rate = window.get("rate")
        compared = ""
        if rate is not None:
            compared = f" ({_number(rate)} vs {_number(float(rate) / float(ratio))}{unit})"
        since = f", {window.get('from')} to {window.get('to')}" if window.get("from") else ""
        return (
            f"{notice.indicator_title}: {group} {_ratio_words(ratio)} the "
            f"{window.get('reference') or 'reference'} rate{compared}{since}{more}"
        )
    if notice.rule_kind == "special_cause" and notice.rule_chart == "gap":
        reference = window.get("reference") or "the reference group"
        return (
            f"{notice.indicator_title}: the gap between {group} and {reference} is widening "
            f"(special-cause concern on its gap chart, {notice.period}){more}"
        )
    if notice.rule_kind == "special_cause":
        who = "" if notice.stratification == "overall" else f" for {group}"
        change = "concern" if "concern" in notice.rule_id else "improvement"
        rate, mean = evidence.get("rate"), evidence.get("mean")
        how, month = _special_cause_words(evidence, change)
        how = how or f"special-cause {change} in {notice.period}"
        latest = evidence.get("period") or notice.period
        figures = (
            f": {_number(rate)}{unit}{f' in {latest}' if month and month != latest else ''} "
            f"against an average of {_number(mean)}"
            if rate is not None and mean is not None
            else ""
        )
        return f"{notice.indicator_title}{who}: {how}{figures}{more}"
    return notice.summary + more


# What each Making Data Count rule saw, in words: (upward, downward, either way).
SPECIAL_CAUSE_WORDS = {
    "outside_limits": (
        "above its upper process limit in {month}",
        "below its lower process limit in {month}",
        "outside its process limits in {month}",
    ),
    "shift": (
        "above its average for 7 months or more, to {month}",
        "below its average for 7 months or more, to {month}",
        "on one side of its average for 7 months or more, to {month}",
    ),
    "trend": (
        "rising 7 months in a row, to {month}",
        "falling 7 months in a row, to {month}",
        "moving one way 7 months in a row, to {month}",
    ),
    "two_in_three": (
        "2 of 3 months near its upper process limit, to {month}",
        "2 of 3 months near its lower process limit, to {month}",
        "2 of 3 months near a process limit, to {month}",
    ),
}


def _special_cause_words(evidence: Mapping[str, Any], change: str) -> tuple[str, str]:
    """The latest special-cause month of the alert's kind and the rule that named it, in
    words, with its direction where the indicator has a better one ("rising 7 months in a
    row, to 2025-11 (special-cause concern)") and that month; empty where the evidence does
    not say."""
    months = evidence.get("special_causes") or {}
    wanted = f"special_cause_{change}"
    seen = [(month, rule) for month, (rule, kind) in months.items() if kind == wanted]
    if not seen:
        return "", ""
    month, rule = max(seen)
    words = SPECIAL_CAUSE_WORDS.get(rule)
    if words is None:
        return "", ""
    better = evidence.get("improvement")
    worse_is_up = {"decrease": True, "increase": False}.get(str(better))
    if worse_is_up is None:
        shown = words[2]
    else:
        upward = worse_is_up if change == "concern" else not worse_is_up
        shown = words[0] if upward else words[1]
    return f"{shown.format(month=month)} (special-cause {change})", month


def _unit(evidence: Mapping[str, Any]) -> str:
    unit = str(evidence.get("unit") or "")
    return "%" if unit == "%" else f" {unit}" if unit else ""


def _ratio_words(ratio: Any) -> str:
    return f"{float(ratio):.1f}×"


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
