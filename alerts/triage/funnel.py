"""The night's signals through the triage policy, stage by stage, counting what each keeps:

1. **raised**: every clinical rule that holds on a series (special cause, disparity).
2. **multiplicity**: a disparity is a discovery of its family (one indicator and
   stratification) at the rule's false discovery rate (Benjamini–Hochberg).
3. **folding**: inhibition (an overall special cause folds the same indicator's group ones),
   hierarchy (an ethnic category into its ethnic group, a decile into its quintile, a language
   into English / not English, where the coarser group signals), one alert per question (the
   groups of one stratification on one indicator and rule), and one per group over the
   indicators that count the same people.
4. **effect and persistence**: a disparity carried only where its group's rate is materially
   worse and significantly so in enough of the latest rolling windows.

What survives is the alerts to fire, each with its priority and the signals folded into it.
Pure: the rules, the snapshots, the policy and the indicators' facts in."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from alerts.inequality.multiplicity import adjusted_p_values
from alerts.rules.definitions import AlertRule
from alerts.rules.evaluation import GRADIENT, SeriesSnapshot, fingerprint, holds
from alerts.triage.judgement import (
    Comparison,
    IndicatorFacts,
    evidence_comparison,
    facts_of,
    material,
    persistent_windows,
    priority,
    special_cause_strength,
    window_comparison,
)
from alerts.triage.policy import TriagePolicy

CLINICAL = ("special_cause", "disparity")
STAGES = ("raised", "after_multiplicity", "after_folding", "after_effect_and_persistence")


@dataclass(frozen=True)
class Candidate:
    rule: AlertRule
    snapshot: SeriesSnapshot
    key: str
    comparison: Comparison | None = None  # disparities: the group against its reference
    adjusted_p: float | None = None
    q: float | None = None
    family_size: int = 0
    windows: tuple[bool, ...] = ()  # persistence: significant in each latest window
    material: bool = True
    persistent: bool = True
    priority: float = 0.0
    folded: tuple[Candidate, ...] = ()

    @property
    def judged_worth_telling(self) -> bool:
        return self.material and self.persistent

    def evidence(self) -> dict[str, Any]:
        """What the alert says of its triage (aggregate only: no counts below the window's)."""
        said: dict[str, Any] = {"priority": self.priority}
        if self.q is not None:
            said["test"] = (
                f"risk ratio against the reference group, Benjamini–Hochberg false discovery "
                f"rate q = {self.q:g} over {self.family_size} groups"
            )
            said["adjusted_p"] = None if self.adjusted_p is None else round(self.adjusted_p, 4)
        if self.windows and self.rule.kind == "special_cause":
            said["persistence"] = (
                f"signalling in {sum(self.windows)} of the latest {len(self.windows)} months"
            )
        elif self.windows:
            said["persistence"] = (
                f"significant in {sum(self.windows)} of the latest {len(self.windows)} windows"
            )
        if self.folded:
            inner = _all_folded(self)
            said["folded"] = [_named(c.snapshot) for c in inner]
            # Which series' signals it carries, for the lineage (no counts, no people).
            said["members"] = [
                [c.rule.id, c.snapshot.indicator_id, c.snapshot.stratification, c.snapshot.stratum]
                for c in inner
            ]
        return said


@dataclass
class Triage:
    carried: dict[str, Candidate] = field(default_factory=dict)  # fingerprint → the alert
    funnel: dict[str, int] = field(default_factory=dict)
    dropped: dict[str, str] = field(default_factory=dict)  # fingerprint → the stage it left at


def triage(
    rules: Mapping[str, AlertRule],
    snapshots: Iterable[SeriesSnapshot],
    policy: TriagePolicy,
    facts: Mapping[str, IndicatorFacts],
    references: Mapping[str, str],
    window_months: int,
    held: set[tuple[str, str]] = frozenset(),  # type: ignore[assignment]
) -> Triage:
    """`references` is each stratification's reference group; `held` the (rule, indicator)
    pairs a data-quality signal holds back (not raised at all)."""
    snapshots = list(snapshots)
    series = {(s.indicator_id, s.stratification, s.stratum): s for s in snapshots}
    raised = [
        Candidate(rule, s, fingerprint(rule.id, s.indicator_id, s.stratification, s.stratum))
        for s in snapshots
        for rule in rules.values()
        if rule.kind in CLINICAL and (rule.id, s.indicator_id) not in held and holds(rule, s)
    ]
    result = Triage()
    judged = [_judged(c, policy, facts, series, references, window_months) for c in raised]
    tested = _multiplicity(judged, policy, snapshots, facts, series, references, window_months)
    # A comparison is a Benjamini–Hochberg discovery at q exactly when its adjusted p is ≤ q.
    kept = [c for c in tested if c.q is None or (c.adjusted_p is not None and c.adjusted_p <= c.q)]
    result.dropped |= {c.key: "multiplicity" for c in tested if c not in kept}
    folded = _fold(kept, policy, facts)
    result.dropped |= {f.key: "folding" for c in folded for f in _all_folded(c)}
    told = [c for c in folded if c.judged_worth_telling]
    result.dropped |= {c.key: "effect_and_persistence" for c in folded if c not in told}
    result.carried = {c.key: c for c in sorted(told, key=lambda c: -c.priority)}
    result.funnel = dict(zip(STAGES, (len(raised), len(kept), len(folded), len(told)), strict=True))
    return result


def _judged(
    candidate: Candidate,
    policy: TriagePolicy,
    facts: Mapping[str, IndicatorFacts],
    series: Mapping[tuple[str, str, str], SeriesSnapshot],
    references: Mapping[str, str],
    window_months: int,
) -> Candidate:
    rule, snapshot = candidate.rule, candidate.snapshot
    indicator = facts_of(snapshot, facts)
    if rule.kind == "special_cause":
        ratio, share = special_cause_strength(rule, snapshot)
        people = int(snapshot.evidence.get("denominator") or 0)
        weight = priority(rule, policy.priority, ratio=ratio, people=people, persistence=share)
        persistence = policy.persistence.get(rule.id)
        chart = (
            snapshot.recent_gap_point_types
            if rule.chart == "gap"
            else (snapshot.recent_point_types or (snapshot.point_type,))
        )
        months = (
            tuple(point == rule.point_type for point in chart[: persistence.windows])
            if persistence
            else ()
        )
        return replace(
            candidate,
            priority=weight,
            windows=months,
            persistent=persistence is None or sum(months) >= persistence.at_least,
            material=enough_people(rule, snapshot, policy),
        )
    window_months = indicator.window_months or window_months
    comparison = _comparison(snapshot, indicator, series, references, window_months)
    windows: tuple[bool, ...] = ()
    persistence = policy.persistence.get(rule.id)
    reference = _reference_of(snapshot, series, references)
    if persistence is not None and snapshot.monthly and reference and reference.monthly:
        windows = persistent_windows(
            snapshot.monthly, reference.monthly, window_months, indicator, persistence
        )
    persistent = persistence is None or not windows or sum(windows) >= persistence.at_least
    weight = priority(
        rule,
        policy.priority,
        ratio=comparison.ratio,
        people=comparison.people,
        persistence=(sum(windows) / len(windows)) if windows else 1.0,
    )
    return replace(
        candidate,
        comparison=comparison,
        windows=windows,
        material=material(comparison, policy.effect.of(snapshot.indicator_id), indicator.better),
        persistent=persistent,
        priority=weight,
    )


def enough_people(rule: AlertRule, snapshot: SeriesSnapshot, policy: TriagePolicy) -> bool:
    """Whether the group's latest 12 months hold the people and events the rule needs."""
    if not snapshot.monthly:
        return True  # a series read without its counts: nothing to judge it by
    events = sum(x for x, _ in snapshot.monthly[-12:])
    people = sum(n for _, n in snapshot.monthly[-12:])
    return people >= policy.minimum_people.get(rule.id, 0) and events >= (
        policy.minimum_events.get(rule.id, 0)
    )


def _comparison(
    snapshot: SeriesSnapshot,
    indicator: IndicatorFacts,
    series: Mapping[tuple[str, str, str], SeriesSnapshot],
    references: Mapping[str, str],
    window_months: int,
) -> Comparison:
    reference = _reference_of(snapshot, series, references)
    if snapshot.monthly and reference is not None and reference.monthly:
        return window_comparison(snapshot.monthly, reference.monthly, window_months, indicator.per)
    return evidence_comparison(snapshot)


def _reference_of(
    snapshot: SeriesSnapshot,
    series: Mapping[tuple[str, str, str], SeriesSnapshot],
    references: Mapping[str, str],
) -> SeriesSnapshot | None:
    group = references.get(snapshot.stratification)
    return series.get((snapshot.indicator_id, snapshot.stratification, group or ""))


def _multiplicity(
    candidates: list[Candidate],
    policy: TriagePolicy,
    snapshots: list[SeriesSnapshot],
    facts: Mapping[str, IndicatorFacts],
    series: Mapping[tuple[str, str, str], SeriesSnapshot],
    references: Mapping[str, str],
    window_months: int,
) -> list[Candidate]:
    """Each tested disparity with its adjusted p-value within its family: every group of the
    indicator and stratification but the reference, signalling or not."""
    families: dict[tuple[str, str], list[SeriesSnapshot]] = defaultdict(list)
    for snapshot in snapshots:
        if snapshot.stratum not in (references.get(snapshot.stratification), GRADIENT):
            families[(snapshot.indicator_id, snapshot.stratification)].append(snapshot)
    adjusted: dict[tuple[str, str, str], tuple[float | None, int]] = {}
    for members in families.values():
        p_values = []
        for member in members:
            indicator = facts_of(member, facts)
            months = indicator.window_months or window_months
            p_values.append(_comparison(member, indicator, series, references, months).p_value)
        tested = sum(p is not None for p in p_values)
        for member, value in zip(members, adjusted_p_values(p_values), strict=True):
            adjusted[(member.indicator_id, member.stratification, member.stratum)] = (
                value,
                tested,
            )
    out = []
    for candidate in candidates:
        family = policy.multiplicity.get(candidate.rule.id)
        if family is None:
            out.append(candidate)
            continue
        s = candidate.snapshot
        value, size = adjusted.get((s.indicator_id, s.stratification, s.stratum), (None, 0))
        out.append(replace(candidate, adjusted_p=value, q=family.q, family_size=size))
    return out


def _fold(
    candidates: list[Candidate], policy: TriagePolicy, facts: Mapping[str, IndicatorFacts]
) -> list[Candidate]:
    """Inhibition, hierarchy, one alert per question, one per group over indicators counting
    the same people: each step folds candidates into a carrier that stays."""
    folded = _inhibit(candidates, policy)
    for merge in policy.merge:
        mine = [c for c in folded if c.rule.id in merge.rules]
        others = [c for c in folded if c.rule.id not in merge.rules]

        def merged_by(c: Candidate, by: tuple[str, ...] = tuple(merge.by)) -> Hashable:
            return tuple(_label(c, name, policy) for name in by)

        folded = others + _merge(
            mine, merged_by, prefer=lambda c: (not c.judged_worth_telling, -c.priority)
        )
    folded = _into_parents(folded, policy)
    folded = _merge(
        folded,
        lambda c: (
            c.rule.id,
            c.snapshot.indicator_id,
            policy.question_of(c.snapshot.stratification),
        ),
        prefer=lambda c: (
            _level(policy, c.snapshot.stratification),
            c.snapshot.stratum in policy.unrecorded_groups,
            not c.judged_worth_telling,
            -c.priority,
        ),
    )
    if policy.shared_denominators:
        folded = _merge(
            folded,
            lambda c: (
                c.rule.id,
                c.snapshot.stratification,
                c.snapshot.stratum,
                facts_of(c.snapshot, facts).denominator,
            ),
            prefer=lambda c: (not c.judged_worth_telling, -c.priority),
        )
    return folded


def _inhibit(candidates: list[Candidate], policy: TriagePolicy) -> list[Candidate]:
    out = list(candidates)
    for rule in policy.inhibit:
        sources = [c for c in out if c.rule.id == rule.source]
        for source in sources:
            targets = [
                c
                for c in out
                if c.rule.id in rule.target
                and all(_label(c, e, policy) == _label(source, e, policy) for e in rule.equal)
            ]
            if not targets:
                continue
            merged = replace(source, folded=source.folded + tuple(targets))
            out = [merged if c is source else c for c in out if c not in targets]
    return out


def _into_parents(candidates: list[Candidate], policy: TriagePolicy) -> list[Candidate]:
    out = list(candidates)
    for level in policy.hierarchy:
        parents = {
            (c.rule.id, c.snapshot.indicator_id, c.snapshot.stratum): c
            for c in out
            if c.snapshot.stratification == level.parent and c.judged_worth_telling
        }
        children: dict[str, list[Candidate]] = defaultdict(list)
        for c in out:
            if c.snapshot.stratification != level.child:
                continue
            group = level.parent_of(c.snapshot.stratum)
            parent = parents.get((c.rule.id, c.snapshot.indicator_id, group or ""))
            if parent is not None:
                children[parent.key].append(c)
        if not children:
            continue
        gone = {id(c) for kids in children.values() for c in kids}
        out = [
            replace(c, folded=c.folded + tuple(children[c.key])) if c.key in children else c
            for c in out
            if id(c) not in gone
        ]
    return out


def _merge(
    candidates: list[Candidate],
    key_of: Callable[[Candidate], Hashable],
    prefer: Callable[[Candidate], Any],
) -> list[Candidate]:
    groups: dict[Hashable, list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        groups[key_of(candidate)].append(candidate)
    out = []
    for members in groups.values():
        carrier, *rest = sorted(members, key=prefer)
        out.append(replace(carrier, folded=carrier.folded + tuple(rest)) if rest else carrier)
    return out


def _level(policy: TriagePolicy, stratification: str) -> int:
    """How fine a stratification is: 0 for one no level sits above, +1 per parent above it."""
    depth, current = 0, stratification
    parents = {level.child: level.parent for level in policy.hierarchy}
    while current in parents:
        depth, current = depth + 1, parents[current]
    return depth


def _label(candidate: Candidate, name: str, policy: TriagePolicy) -> str:
    """A label inhibition compares: a field of the series or the rule, or `question` (the
    stratification whose question the series' groups answer)."""
    if name == "question":
        return policy.question_of(candidate.snapshot.stratification)
    return str(getattr(candidate.snapshot, name, getattr(candidate.rule, name, "")))


def _all_folded(candidate: Candidate) -> list[Candidate]:
    found = []
    for inner in candidate.folded:
        found += [inner, *_all_folded(inner)]
    return found


def _named(snapshot: SeriesSnapshot) -> str:
    where = snapshot.stratification_title or snapshot.stratification
    if snapshot.stratification == "overall":
        return snapshot.indicator_title
    if snapshot.stratum == GRADIENT:
        return f"{snapshot.indicator_title}: the gradient across {where}s"
    return f"{snapshot.indicator_title}: {snapshot.stratum_title or snapshot.stratum} ({where})"
