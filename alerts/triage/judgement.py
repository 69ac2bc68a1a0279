"""Each raised signal judged on its own: the p-value of its group's comparison, whether the
difference is clinically material, whether it persists over the latest rolling windows, and its
priority. Pure: a series' monthly counts and its reference's in, figures out."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from alerts.inequality.comparisons import risk_ratio
from alerts.inequality.multiplicity import ratio_p_value
from alerts.rules.definitions import AlertRule
from alerts.rules.evaluation import SeriesSnapshot
from alerts.triage.policy import Effect, Persistence, Priority

MonthlyCounts = Sequence[tuple[int, int]]  # (numerator, denominator) per month, oldest first


@dataclass(frozen=True)
class IndicatorFacts:
    """What triage needs to know of an indicator, from the catalogue."""

    better: str | None  # "lower", "higher" or None (no worse side)
    per: int
    denominator: str  # who it counts: indicators with the same one count the same people
    window_months: int | None = None  # its groups' comparison window, if not the default


@dataclass(frozen=True)
class Comparison:
    """A group against its reference over the window ending `months_back` months ago."""

    ratio: float | None
    lower: float | None
    upper: float | None
    difference: float | None  # in the indicator's unit
    people: int  # the group's denominator over the window

    @property
    def p_value(self) -> float | None:
        return ratio_p_value(self.ratio, self.lower, self.upper)

    def worse(self, better: str | None) -> bool:
        """Significantly worse than the reference (the interval excludes 1 on the worse side)."""
        if better == "lower":
            return self.lower is not None and self.lower > 1
        if better == "higher":
            return self.upper is not None and self.upper < 1
        return False


def window_comparison(
    group: MonthlyCounts, reference: MonthlyCounts, months: int, per: int, months_back: int = 0
) -> Comparison:
    """The group against the reference summed over `months` months ending `months_back` months
    before the latest."""
    end = len(group) - months_back
    start = max(end - months, 0)
    a, n1 = (sum(part) for part in zip(*group[start:end], strict=True)) if end > 0 else (0, 0)
    c, n2 = (sum(part) for part in zip(*reference[start:end], strict=True)) if end > 0 else (0, 0)
    if n1 <= 0 or n2 <= 0:
        return Comparison(None, None, None, None, n1)
    ratio, lower, upper = risk_ratio(a, n1, c, n2)
    return Comparison(ratio, lower, upper, (a / n1 - c / n2) * per, n1)


def evidence_comparison(snapshot: SeriesSnapshot) -> Comparison:
    """The comparison the indicator results give for the latest window (a series read without
    its monthly counts)."""
    window = snapshot.evidence.get("window") or {}
    return Comparison(
        window.get("ratio"),
        window.get("ratio_lower"),
        window.get("ratio_upper"),
        None,
        int(window.get("denominator") or 0),
    )


def material(comparison: Comparison, effect: Effect, better: str | None) -> bool:
    """At least the minimum effect on the worse side: the ratio, or the absolute difference."""
    ratio, difference = comparison.ratio, comparison.difference
    if ratio is None:
        return True  # nothing to judge it by: the significance test alone decides
    worse_ratio = ratio if better != "higher" else (1 / ratio if ratio > 0 else math.inf)
    if effect.min_ratio is not None and worse_ratio >= effect.min_ratio:
        return True
    if effect.min_difference is not None and difference is not None:
        return abs(difference) >= effect.min_difference
    return effect.min_ratio is None and effect.min_difference is None


def persistent_windows(
    group: MonthlyCounts,
    reference: MonthlyCounts,
    months: int,
    facts: IndicatorFacts,
    persistence: Persistence,
) -> tuple[bool, ...]:
    """Whether the group is significantly worse in each of the latest rolling windows, latest
    first."""
    return tuple(
        window_comparison(group, reference, months, facts.per, back).worse(facts.better)
        for back in range(persistence.windows)
    )


def priority(
    rule: AlertRule,
    weights: Priority,
    *,
    ratio: float | None,
    people: int,
    persistence: float,
) -> float:
    """Points for severity, effect size (a doubling or halving scores in full), the people
    affected (10,000 or more in full) and persistence (the share of windows signalling)."""
    effect = min(abs(math.log(ratio)) / math.log(2), 1.0) if ratio and ratio > 0 else 0.0
    crowd = min(math.log10(people) / 4, 1.0) if people > 1 else 0.0
    return round(
        weights.severity.get(rule.severity, 0.0)
        + weights.effect * effect
        + weights.people * crowd
        + weights.persistence * min(max(persistence, 0.0), 1.0),
        2,
    )


def special_cause_strength(rule: AlertRule, snapshot: SeriesSnapshot) -> tuple[float | None, float]:
    """For a special-cause signal: the latest rate against the chart's mean (its effect), and
    the share of the latest months the rule looks back over that show the signal."""
    rate, mean = snapshot.evidence.get("rate"), snapshot.evidence.get("mean")
    ratio = rate / mean if rate and mean else None
    recent = (snapshot.recent_point_types or (snapshot.point_type,))[: rule.lookback_periods]
    share = sum(point == rule.point_type for point in recent) / max(len(recent), 1)
    return ratio, share


def facts_of(snapshot: SeriesSnapshot, facts: Mapping[str, IndicatorFacts]) -> IndicatorFacts:
    return facts.get(snapshot.indicator_id) or IndicatorFacts(None, 1, snapshot.indicator_id)
