"""Alert rules as data, their evaluation over series snapshots, and the alert lifecycle."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from alerts.rules.definitions import RULES_FILE, AlertRule, RuleError, load_rules, parse_rules
from alerts.rules.evaluation import SeriesSnapshot, evaluate, fingerprint
from alerts.rules.lifecycle import AlertState, advance


def snapshot(**changes: Any) -> SeriesSnapshot:
    base: dict[str, Any] = {
        "indicator_id": "oasi",
        "indicator_title": "OASI",
        "stratification": "overall",
        "stratum": "all",
        "period": "2025-06",
        "point_type": "common_cause",
        "traffic_light": None,
        "latest_month_complete": True,
        "evidence": {"rate": 43.0, "numerator": 20, "denominator": 465},
    }
    return SeriesSnapshot(**{**base, **changes})


def test_the_products_rules_load() -> None:
    rules = load_rules()
    assert {"special_cause_concern_overall", "disparity_red", "data_quality_gate"} <= set(rules)
    assert rules["special_cause_concern_overall"].watches("overall")
    assert not rules["special_cause_concern_group"].watches("overall")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["rules"][0].pop("severity"), "missing 'severity'"),
        (lambda d: d["rules"][0].update(kind="weather"), "kind must be one of"),
        (lambda d: d["rules"][0].pop("point_type"), "needs point_type"),
        (lambda d: d["rules"][3].update(holds_back=["nope"]), "unknown rules ['nope']"),
        (lambda d: d["rules"].append(copy.deepcopy(d["rules"][0])), "declared twice"),
        (lambda d: d["rules"][0].update(firing_after=0), "at least 1"),
        (lambda d: d["rules"][0].update(stratifications="everything"), "overall, strata"),
    ],
)
def test_a_mistake_in_the_rules_names_the_rule(change: Any, message: str) -> None:
    document = yaml.safe_load(RULES_FILE.read_text())
    change(document)
    with pytest.raises(RuleError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_rules(document)


def test_signals_on_concern_disparity_and_data_quality() -> None:
    rules = load_rules()
    signals = evaluate(
        rules,
        [
            snapshot(point_type="special_cause_concern"),
            snapshot(
                stratification="ethnic_group",
                stratum="Asian",
                point_type="special_cause_concern",
                traffic_light="red",
            ),
            snapshot(stratification="ethnic_group", stratum="White", traffic_light="green"),
            snapshot(indicator_id="pph_1500", point_type="special_cause_improvement"),
        ],
    )
    assert [(s.rule_id, s.stratum) for s in signals] == [
        ("disparity_red", "Asian"),
        ("special_cause_concern_group", "Asian"),
        ("special_cause_concern_overall", "all"),
        ("special_cause_improvement_overall", "all"),  # pph_1500: improvement is news too
    ]
    overall = signals[2]
    assert overall.summary == "OASI shows special-cause concern in 2025-06"
    assert overall.fingerprint == fingerprint(
        "special_cause_concern_overall", "oasi", "overall", "all"
    )
    assert overall.evidence["denominator"] == 465
    assert signals[0].severity == "medium"


def test_a_special_cause_in_the_latest_three_months_still_signals() -> None:
    rules = load_rules()
    ended_last_month = snapshot(
        point_type="common_cause",
        recent_point_types=("common_cause", "special_cause_concern", "special_cause_concern"),
    )
    ended_long_ago = snapshot(
        point_type="common_cause",
        recent_point_types=("common_cause",) * 3 + ("special_cause_concern",),
    )
    [signal] = evaluate(rules, [ended_last_month])
    assert signal.rule_id == "special_cause_concern_overall"
    assert signal.period == "2025-06"  # the alert counts the latest period…
    assert signal.summary == "OASI shows special-cause concern in 2025-05"  # …and says when
    assert evaluate(rules, [ended_long_ago]) == []


def test_a_failing_data_quality_gate_holds_back_the_clinical_alerts_of_its_indicator() -> None:
    signals = evaluate(
        load_rules(),
        [
            snapshot(point_type="special_cause_concern", latest_month_complete=False),
            snapshot(stratification="ethnic_group", stratum="Asian", traffic_light="red"),
            snapshot(indicator_id="stillbirth", point_type="special_cause_concern"),
        ],
    )
    assert [(s.rule_id, s.indicator_id) for s in signals] == [
        ("data_quality_gate", "oasi"),
        ("special_cause_concern_overall", "stillbirth"),
    ]


def rule(firing_after: int = 1, resolve_after: int = 1) -> AlertRule:
    return AlertRule(
        id="r", kind="special_cause", stratifications="overall", severity="high",
        summary="", firing_after=firing_after, resolve_after=resolve_after,
        point_type="special_cause_concern",
    )  # fmt: skip


def run(states: list[tuple[str, bool]], firing_after: int = 1, resolve_after: int = 1):
    state: AlertState | None = None
    transitions = []
    for period, signalled in states:
        step = advance(state, rule(firing_after, resolve_after), "f", period, signalled)
        state = step.state
        transitions.append(step.transition)
    return state, transitions


def test_pending_then_firing_after_n_periods_and_resolved_after_m() -> None:
    periods = [("2025-01", True), ("2025-02", True), ("2025-03", False), ("2025-04", False)]
    state, transitions = run(periods, firing_after=2, resolve_after=2)
    assert transitions == ["pending", "fired", None, "resolved"]
    assert state is not None
    assert state.status == "resolved"


def test_a_pending_alert_whose_signal_goes_is_dropped_and_one_resolved_can_fire_again() -> None:
    _, transitions = run([("2025-01", True), ("2025-02", False)], firing_after=2)
    assert transitions == ["pending", "dropped"]
    periods = [("2025-01", True), ("2025-02", False), ("2025-03", True)]
    state, transitions = run(periods)
    assert transitions == ["fired", "resolved", "refired"]
    assert state is not None
    assert state.status == "firing"


def test_counting_the_same_period_again_changes_nothing() -> None:
    first = advance(None, rule(), "f", "2025-01", True)
    again = advance(first.state, rule(), "f", "2025-01", True)
    assert first.transition == "fired"
    assert again.transition is None
    assert again.state == first.state
