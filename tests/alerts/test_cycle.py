"""The evaluation cycle: which alerts change and which notices are due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from alerts.rules.cycle import AlertChange, KnownAlert, evaluation_cycle
from alerts.rules.definitions import load_rules
from alerts.rules.evaluation import SeriesSnapshot, fingerprint
from alerts.rules.silences import SilenceWindow

NOW = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
WEEK = timedelta(days=7)
RULES = load_rules()
OVERALL = fingerprint("special_cause_concern_overall", "oasi", "overall", "all")


def snapshot(period: str = "2025-06", **changes: Any) -> SeriesSnapshot:
    base: dict[str, Any] = {
        "indicator_id": "oasi",
        "indicator_title": "OASI",
        "stratification": "overall",
        "stratum": "all",
        "period": period,
        "point_type": "common_cause",
        "traffic_light": None,
        "latest_month_complete": True,
        "evidence": {"rate": 4.3, "numerator": 20, "denominator": 465},
    }
    return SeriesSnapshot(**{**base, **changes})


def concern(period: str = "2025-06") -> SeriesSnapshot:
    return snapshot(period, point_type="special_cause_concern")


def run(
    snapshots: list[SeriesSnapshot],
    known: dict[str, KnownAlert] | None = None,
    silences: list[SilenceWindow] | None = None,
    now: datetime = NOW,
) -> list[AlertChange]:
    return evaluation_cycle(RULES, snapshots, known or {}, silences or [], now, WEEK)


def remember(
    changes: list[AlertChange], notified_at: datetime | None = NOW
) -> dict[str, KnownAlert]:
    return {
        c.signal.fingerprint: KnownAlert(c.after, acknowledged=False, last_notified_at=notified_at)
        for c in changes
        if c.after is not None
    }


def test_a_new_signal_fires_and_is_notified_once() -> None:
    [change] = run([concern()])
    assert (change.signal.fingerprint, change.transition, change.notice) == (
        OVERALL,
        "fired",
        "firing",
    )
    assert run([concern()], remember([change])) == []  # the same period again: nothing


def test_a_still_firing_alert_is_repeated_after_the_interval_unless_acknowledged() -> None:
    known = remember(run([concern()]))
    assert run([concern("2025-07")], known, now=NOW + timedelta(days=1))[0].notice is None
    [later] = run([concern("2025-07")], known, now=NOW + WEEK)
    assert later.notice == "repeat"
    acknowledged = {k: KnownAlert(v.state, True, v.last_notified_at) for k, v in known.items()}
    [quiet] = run([concern("2025-07")], acknowledged, now=NOW + WEEK)
    assert quiet.notice is None  # counted (its state moved on) but not repeated


def test_it_resolves_after_two_quiet_periods_with_a_resolved_notice() -> None:
    known = remember(run([concern("2025-06")]))
    [first] = run([snapshot("2025-07")], known)
    assert (first.transition, first.notice, first.after.status) == (None, None, "firing")
    [second] = run([snapshot("2025-08")], remember([first]))
    assert (second.transition, second.notice, second.after.status) == (
        "resolved",
        "resolved",
        "resolved",
    )


def test_a_silence_records_the_notice_as_silenced_and_later_it_is_told() -> None:
    silence = SilenceWindow(7, {"indicator": "oasi"}, NOW - WEEK, NOW + timedelta(hours=1))
    [muted] = run([concern()], silences=[silence])
    assert (muted.transition, muted.notice, muted.silenced_by) == ("fired", "firing", 7)
    # Never told while silenced: once the silence ends, the next cycle tells it.
    known = remember([muted], notified_at=None)
    [told] = run([concern()], known, silences=[silence], now=NOW + timedelta(hours=2))
    assert (told.notice, told.silenced_by) == ("firing", None)


def test_a_failing_data_quality_gate_holds_back_clinical_alerts_without_resolving_them() -> None:
    known = remember(run([concern("2025-06")]))
    changes = run([snapshot("2025-07", latest_month_complete=False)], known)
    assert [(c.signal.rule_id, c.transition) for c in changes] == [("data_quality_gate", "fired")]
