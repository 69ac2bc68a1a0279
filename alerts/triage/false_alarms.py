"""What the rules imply a night brings by chance alone: the alerts to expect in a region where
nothing has changed and no group differs from another, rule by rule, so a measured night can
be set beside it (bench/null_regions.py does, over regions generated with nothing planted).

- A **special-cause** rule on a stable chart signals as often as the Making Data Count rules
  misread noise, within its look-back (and, where the triage asks for persistence, in enough of
  the latest months). That chance is measured here by running the product's own rules
  (`alerts/spc`) over many stable charts (independent normal months, limits from the chart
  itself, as an XmR chart sets them), from a fixed seed, so it is the same on every machine.
  Group rate charts are Laney p′-charts, which chart each month's standardised rate the same way.
- A **disparity** family (the groups of one indicator and stratification) tested at false
  discovery rate q finds a false disparity, when no group differs, with probability at most q
  (Benjamini and Hochberg 1995, Theorem 1: under the complete null, FDR is the probability of
  any discovery), and only the worse side of a two-sided test turns red: q / 2.
- A **gradient** is red when the slope index is significantly against the more deprived at the
  95% level: one side of a two-sided test, 2.5%.

Each is an expectation before triage folds one signal into another; folding only lowers it.
Pure: rules, policy and the night's series in, expected counts out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np

from alerts.rules.definitions import AlertRule
from alerts.rules.evaluation import GRADIENT, SeriesSnapshot
from alerts.spc.gap import gap_charts
from alerts.triage.funnel import enough_people
from alerts.triage.policy import TriagePolicy

ONE_SIDE_OF_95 = 0.025  # one side of a two-sided 95% test
STABLE_CHARTS = 20_000  # trials: the chance of ~1% is then known to about ±0.07%


@dataclass(frozen=True)
class ChanceOfRule:
    rule_id: str
    watched: int  # charts, families or gradients the rule could fire on tonight
    chance: float  # the probability that one of them fires by chance alone
    unit: str  # what `watched` counts

    @property
    def expected(self) -> float:
        return self.watched * self.chance


@cache
def stable_chart_chance(
    months: int, lookback: int, windows: int = 0, at_least: int = 0, seed: int = 20_231
) -> float:
    """The probability that a stable chart of `months` points shows special-cause concern in
    one of its latest `lookback` points, and (where `windows` is given) in at least `at_least`
    of its latest `windows`."""
    if months < 2:
        return 0.0
    noise = np.random.default_rng(seed).standard_normal((STABLE_CHARTS, months))
    # −1: a smaller value is better, so concern is a rise (the chance is the same either way).
    charts = gap_charts(noise, np.full(STABLE_CHARTS, -1))
    concern = charts["gap_point_type"] == "special_cause_concern"
    fires = concern[:, -lookback:].any(axis=1)
    if windows:
        fires &= concern[:, -windows:].sum(axis=1) >= at_least
    return float(fires.mean())


def chance_per_night(
    rules: Mapping[str, AlertRule],
    policy: TriagePolicy,
    snapshots: Iterable[SeriesSnapshot],
    references: Mapping[str, str],
) -> list[ChanceOfRule]:
    """Per clinical rule, what it watches tonight (the series holding the people the triage
    asks of it) and the chance that each fires with nothing there."""
    snapshots = list(snapshots)
    months = max((len(s.monthly) for s in snapshots), default=0)
    out = []
    for rule in rules.values():
        if rule.kind == "special_cause":
            watched = sum(
                1
                for s in snapshots
                if rule.watches(s.stratification)
                and s.stratum != GRADIENT
                and (rule.chart != "gap" or s.recent_gap_point_types)
                and enough_people(rule, s, policy)
            )
            persistence = policy.persistence.get(rule.id)
            chance = stable_chart_chance(
                months,
                rule.lookback_periods,
                persistence.windows if persistence else 0,
                persistence.at_least if persistence else 0,
            )
            out.append(ChanceOfRule(rule.id, watched, chance, "charts"))
        elif rule.kind == "disparity" and rule.series == "gradient":
            watched = sum(
                1 for s in snapshots if s.stratum == GRADIENT and rule.watches(s.stratification)
            )
            out.append(ChanceOfRule(rule.id, watched, ONE_SIDE_OF_95, "gradients"))
        elif rule.kind == "disparity":
            groups = [
                (s.indicator_id, s.stratification)
                for s in snapshots
                if rule.watches(s.stratification)
                and s.stratum not in (references.get(s.stratification), GRADIENT)
                and s.traffic_light is not None
            ]
            family = policy.multiplicity.get(rule.id)
            if family:
                out.append(ChanceOfRule(rule.id, len(set(groups)), family.q / 2, "families"))
            else:  # each group its own 95% test, of which one side is red
                out.append(ChanceOfRule(rule.id, len(groups), ONE_SIDE_OF_95, "groups"))
    return out
