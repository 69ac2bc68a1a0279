"""The chance of a false alarm the rules imply on a stable chart, against the figures that can be
worked by hand for a long chart whose mean and limits are then known almost exactly:

- the latest point ends a run of 7 on one side of the mean: (1/2)^7 = 0.78%;
- it lies above the upper limit: 1 − Φ(3) = 0.135%;
- it ends a rise of 7: 1/7! = 0.02%;
- it is one of 2 of the latest 3 beyond two sigma on its side: about 3 × 0.0228² ≈ 0.16%.

Concern in the latest point is at least the first and at most their sum (1.10%)."""

from __future__ import annotations

import pytest

from alerts.rules.definitions import load_rules
from alerts.rules.evaluation import GRADIENT, SeriesSnapshot
from alerts.triage.false_alarms import chance_per_night, stable_chart_chance
from alerts.triage.policy import load_policy


def test_a_long_stable_chart_signals_as_often_as_the_rules_worked_by_hand() -> None:
    assert 0.0075 <= stable_chart_chance(200, 1) <= 0.0125


def test_persistence_and_look_back_move_the_chance_the_way_they_should() -> None:
    latest, any_of_three = stable_chart_chance(36, 1), stable_chart_chance(36, 3)
    two_of_three = stable_chart_chance(36, 3, 3, 2)
    assert two_of_three < any_of_three
    assert latest < any_of_three < 3 * latest  # the latest 3 points overlap in their runs
    assert stable_chart_chance(36, 3) == stable_chart_chance(36, 3)  # a fixed seed


def snapshot(stratification: str, stratum: str, people: int, light: str | None = "green"):
    return SeriesSnapshot(
        indicator_id="preterm_birth",
        indicator_title="Preterm birth",
        stratification=stratification,
        stratum=stratum,
        period="2025-12",
        point_type="common_cause",
        traffic_light=light,
        latest_month_complete=True,
        monthly=((5, people // 36),) * 36,
        recent_gap_point_types=("common_cause",) * 3 if stratum != "all" else (),
    )


def test_each_rule_counts_what_it_watches_and_its_chance() -> None:
    rules = load_rules()
    policy = load_policy(rules)
    night = [
        snapshot("overall", "all", 36_000, None),
        snapshot("ethnic_group", "White", 18_000),
        snapshot("ethnic_group", "Asian", 9_000),
        snapshot("ethnic_group", "Mixed", 100),  # too few people for a group's special cause
        snapshot("imd_quintile", GRADIENT, 36_000),
    ]
    by_rule = {
        c.rule_id: c for c in chance_per_night(rules, policy, night, {"ethnic_group": "White"})
    }
    assert by_rule["special_cause_concern_overall"].watched == 1
    assert by_rule["special_cause_concern_group"].watched == 2  # White and Asian
    assert by_rule["disparity_red"].watched == 1  # one family: preterm birth by ethnic group
    assert by_rule["disparity_red"].chance == pytest.approx(0.025)  # q = 0.05, the worse side
    assert by_rule["disparity_gradient"].watched == 1
    persistent = stable_chart_chance(36, 3, 3, 2)
    assert by_rule["special_cause_concern_group"].expected == pytest.approx(2 * persistent)
