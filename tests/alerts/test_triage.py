"""Triage: what the rules raise is tested as families (Benjamini–Hochberg), folded (inhibition,
hierarchy, one alert per question, one per group over indicators counting the same people),
and told only where material and persistent; each figure is the policy file's, so changing
the data changes the outcome."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from alerts.rules.definitions import RuleError, load_rules
from alerts.rules.evaluation import SeriesSnapshot, fingerprint
from alerts.triage.funnel import Triage, triage
from alerts.triage.judgement import IndicatorFacts
from alerts.triage.policy import POLICY_FILE, load_policy, parse_policy

RULES = load_rules()
POLICY = load_policy(RULES)
FACTS = {
    "preterm_birth": IndicatorFacts("lower", 1000, "births"),
    "low_birth_weight_term": IndicatorFacts("lower", 100, "births"),
    "oasi": IndicatorFacts("lower", 1000, "vaginal births"),
}
REFERENCES = {"ethnic_group": "White", "ethnic_category": "A", "imd_quintile": "5"}
MONTHS = 14  # two months more than a 12-month window: three windows a month apart


def monthly(events: int, people: int = 400, recent: int | None = None, months: int = 3) -> tuple:
    """`events` of `people` a month; `recent` a month instead in the latest `months`."""
    counts = [(events, people)] * MONTHS
    if recent is not None:
        counts[-months:] = [(recent, people)] * months
    return tuple(counts)


def series(
    stratification: str, stratum: str, counts: tuple, *, indicator: str = "preterm_birth",
    light: str | None = None, point: str = "common_cause",
) -> SeriesSnapshot:  # fmt: skip
    return SeriesSnapshot(
        indicator_id=indicator,
        indicator_title=indicator.replace("_", " ").capitalize(),
        stratification=stratification,
        stratum=stratum,
        period="2025-12",
        point_type=point,
        traffic_light=light,
        latest_month_complete=True,
        evidence={"rate": 5.0, "mean": 4.0, "denominator": 400},
        monthly=counts,
        recent_point_types=(point,) * 3,
    )


def run(snapshots: list[SeriesSnapshot], policy: Any = POLICY) -> Triage:
    return triage(RULES, snapshots, policy, FACTS, REFERENCES, 12)


def carried(result: Triage) -> set[tuple[str, str, str]]:
    return {
        (c.rule.id, c.snapshot.stratification, c.snapshot.stratum) for c in result.carried.values()
    }


def policy_with(**changes: Any) -> Any:
    document = yaml.safe_load(POLICY_FILE.read_text(encoding="utf-8"))
    return parse_policy({**document, **changes}, RULES)


def test_a_red_that_is_no_discovery_of_its_family_does_not_fire() -> None:
    # 16 categories like the reference and one at 1.4 times (168 against 120 of 4,800 over the
    # year): alone, z = ln 1.4 / 0.1178 = 2.86, p = 0.0043; among 16 tests its adjusted
    # p-value is 16 × 0.0043 = 0.068 > 0.05.
    snapshots = [series("ethnic_category", "A", monthly(10))]
    snapshots += [series("ethnic_category", c, monthly(10)) for c in "BCDEFGHJKLMNPRS"]
    snapshots.append(series("ethnic_category", "Z", monthly(14), light="red"))
    result = run(snapshots)
    assert result.funnel["raised"] == 1
    assert result.funnel["after_multiplicity"] == 0
    key = fingerprint("disparity_red", "preterm_birth", "ethnic_category", "Z")
    assert result.dropped[key] == "multiplicity"
    # The same red tested alone is a discovery: its family is one group.
    alone = run([snapshots[0], snapshots[-1]])
    assert alone.funnel["after_multiplicity"] == 1
    assert alone.carried[key].adjusted_p == pytest.approx(0.0043, abs=2e-4)
    evidence = alone.carried[key].evidence()
    assert "Benjamini–Hochberg false discovery rate q = 0.05 over 1 groups" in evidence["test"]


def test_q_is_data() -> None:
    snapshots = [series("ethnic_category", "A", monthly(10))]
    snapshots += [series("ethnic_category", c, monthly(10)) for c in "BCDEFGHJKLMNPRS"]
    snapshots.append(series("ethnic_category", "Z", monthly(14), light="red"))
    loose = policy_with(multiplicity={"disparity_red": {"q": 0.5}})
    assert run(snapshots, loose).funnel["after_multiplicity"] == 1


def test_a_category_folds_into_its_group_and_the_group_carries() -> None:
    snapshots = [
        series("ethnic_group", "White", monthly(20)),
        series("ethnic_group", "Asian", monthly(40), light="red"),
        series("ethnic_category", "A", monthly(20)),
        series("ethnic_category", "J", monthly(44), light="red"),
    ]
    result = run(snapshots)
    assert carried(result) == {("disparity_red", "ethnic_group", "Asian")}
    (alert,) = result.carried.values()
    assert [c.snapshot.stratum for c in alert.folded] == ["J"]
    assert alert.evidence()["members"] == [
        ["disparity_red", "preterm_birth", "ethnic_category", "J"]
    ]
    # With no group signal, the category carries itself.
    alone = run([snapshots[0], snapshots[2], snapshots[3]])
    assert carried(alone) == {("disparity_red", "ethnic_category", "J")}


def test_an_overall_special_cause_inhibits_the_same_indicators_group_ones() -> None:
    concern = "special_cause_concern"
    result = run([
        series("overall", "all", monthly(20), point=concern),
        series("site", "ZZ102", monthly(20), point=concern),
        series("site", "ZZ102", monthly(20), point=concern, indicator="oasi"),
    ])  # fmt: skip
    assert carried(result) == {
        ("special_cause_concern_overall", "overall", "all"),
        ("special_cause_concern_group", "site", "ZZ102"),  # oasi's: no overall signal there
    }
    overall = next(c for c in result.carried.values() if c.snapshot.stratification == "overall")
    assert [(c.snapshot.indicator_id, c.snapshot.stratum) for c in overall.folded] == [
        ("preterm_birth", "ZZ102")
    ]


def test_a_difference_too_small_to_matter_does_not_fire_and_the_threshold_is_data() -> None:
    # 1.15 times the reference over 14 months of 4,000 births: significant, not material.
    snapshots = [
        series("imd_quintile", "5", monthly(200, 4000)),
        series("imd_quintile", "1", monthly(230, 4000), light="red"),
    ]
    result = run(snapshots)
    assert result.funnel["after_folding"] == 1
    assert result.funnel["after_effect_and_persistence"] == 0
    smaller = policy_with(effect={"default": {"min_ratio": 1.1}})
    assert run(snapshots, smaller).funnel["after_effect_and_persistence"] == 1


def test_a_blip_in_the_latest_month_does_not_persist() -> None:
    # Like the reference for a year, then one month at five times: significant in the latest
    # window only (1 of 3), where the policy asks for 2 of 3.
    blip = monthly(20, recent=100, months=1)
    snapshots = [
        series("ethnic_group", "White", monthly(20)),
        series("ethnic_group", "Black", blip, light="red"),
    ]
    result = run(snapshots)
    assert result.funnel["after_effect_and_persistence"] == 0
    key = fingerprint("disparity_red", "preterm_birth", "ethnic_group", "Black")
    assert result.dropped[key] == "effect_and_persistence"
    # Three months high: significant in 2 or 3 of the windows, so it fires, saying so.
    lasting = run(
        [snapshots[0], series("ethnic_group", "Black", monthly(20, recent=60), light="red")]
    )
    assert lasting.carried[key].evidence()["persistence"].startswith("significant in ")


def test_one_alert_per_question_carried_by_a_recorded_group() -> None:
    result = run([
        series("ethnic_group", "White", monthly(20)),
        series("ethnic_group", "Black", monthly(36), light="red"),
        series("ethnic_group", "Asian", monthly(34), light="red"),
        series("ethnic_group", "Not stated", monthly(50), light="red"),
    ])  # fmt: skip
    assert carried(result) == {("disparity_red", "ethnic_group", "Black")}
    (alert,) = result.carried.values()
    assert {c.snapshot.stratum for c in alert.folded} == {"Asian", "Not stated"}


def test_the_same_group_over_indicators_counting_the_same_people_is_one_alert() -> None:
    result = run([
        series("imd_quintile", "5", monthly(20)),
        series("imd_quintile", "1", monthly(40), light="red"),
        series("imd_quintile", "5", monthly(20), indicator="low_birth_weight_term"),
        series("imd_quintile", "1", monthly(44), light="red", indicator="low_birth_weight_term"),
        series("imd_quintile", "5", monthly(20), indicator="oasi"),
        series("imd_quintile", "1", monthly(44), light="red", indicator="oasi"),
    ])  # fmt: skip
    assert len(result.carried) == 2  # births (preterm with low birth weight), and OASI's own
    merged = next(c for c in result.carried.values() if c.folded)
    assert {merged.snapshot.indicator_id, *(c.snapshot.indicator_id for c in merged.folded)} == {
        "preterm_birth",
        "low_birth_weight_term",
    }


def test_alerts_come_ranked_by_priority() -> None:
    result = run([
        series("ethnic_group", "White", monthly(20)),
        series("ethnic_group", "Black", monthly(60), light="red"),
        series("imd_quintile", "5", monthly(20, 4000)),
        series("imd_quintile", "1", monthly(30, 4000), light="red"),
        series("overall", "all", monthly(20), point="special_cause_concern"),
    ])  # fmt: skip
    priorities = [c.priority for c in result.carried.values()]
    assert priorities == sorted(priorities, reverse=True)
    assert next(iter(result.carried.values())).rule.id == "special_cause_concern_overall"


def test_a_policy_naming_an_unknown_rule_is_refused() -> None:
    with pytest.raises(RuleError, match=r"names rules that rules\.yaml does not declare"):
        policy_with(persistence={"no_such_rule": {"windows": 3, "at_least": 2}})
    with pytest.raises(RuleError, match="at_least cannot exceed windows"):
        policy_with(persistence={"disparity_red": {"windows": 2, "at_least": 3}})
