"""XmR charts against NHSRplotthedots 0.2.2: its own test fixtures (tests/testthat in the CRAN
package) and hand calculation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from alerts.spc import assurance, variation_icon, xmr
from alerts.spc.rules import shift_ends, trend_ends, two_in_three

# R: set.seed(123); rnorm(20) — the series of NHSRplotthedots' test-ptd_spc_standard.R.
RNORM_123 = [
    -0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774, 1.71506499, 0.46091621,
    -1.26506123, -0.68685285, -0.44566197, 1.22408180, 0.35981383, 0.40077145, 0.11068272,
    -0.55584113, 1.78691314, 0.49785048, -1.96661716, 0.70135590, -0.47279141,
]  # fmt: skip


def test_limits_reproduce_the_package_snapshot() -> None:
    # tests/testthat/_snaps/ptd_spc_standard.md: mean 0.1416238, lpl -3.01138, upl 3.294627.
    chart = xmr(RNORM_123)
    assert chart["mean"].iloc[0] == pytest.approx(0.1416238, abs=5e-8)
    assert chart["lpl"].iloc[0] == pytest.approx(-3.01138, abs=5e-6)
    assert chart["upl"].iloc[0] == pytest.approx(3.294627, abs=5e-7)
    assert chart["relative_to_mean"].tolist()[:14] == [
        -1, -1, 1, -1, -1, 1, 1, -1, -1, -1, 1, 1, 1, -1,
    ]  # fmt: skip
    assert not chart["outside_limits"].any()


def test_screening_drops_the_outlying_moving_ranges_once() -> None:
    # The same snapshot with y[15] = 10: screened 0.6694159 / -2.383666 / 3.722497,
    # unscreened -4.596625 / 5.935457.
    series = list(RNORM_123)
    series[14] = 10
    screened = xmr(series)
    assert screened["mean"].iloc[0] == pytest.approx(0.6694159, abs=5e-8)
    assert screened["lpl"].iloc[0] == pytest.approx(-2.383666, abs=5e-7)
    assert screened["upl"].iloc[0] == pytest.approx(3.722497, abs=5e-7)
    unscreened = xmr(series, screen_outliers=False)
    assert unscreened["lpl"].iloc[0] == pytest.approx(-4.596625, abs=5e-7)
    assert unscreened["upl"].iloc[0] == pytest.approx(5.935457, abs=5e-7)
    assert screened["point_type"].iloc[14] == "special_cause_neutral_high"


def test_limits_by_hand() -> None:
    # mean 6; moving ranges 2, 2, 4, 4 -> mean 3; 3.267 x 3 = 9.8 keeps all;
    # limits 6 -/+ 2.66 x 3 = -1.98 / 13.98; two-sigma band 6 -/+ 5.32.
    chart = xmr([4, 6, 8, 4, 8])
    assert chart["mean"].iloc[0] == 6
    assert chart["lpl"].iloc[0] == pytest.approx(-1.98, abs=1e-12)
    assert chart["upl"].iloc[0] == pytest.approx(13.98, abs=1e-12)
    assert chart["nupl"].iloc[0] == pytest.approx(11.32, abs=1e-12)
    assert chart["trial_limits"].all()
    assert set(chart["point_type"]) == {"common_cause"}


def test_a_point_beyond_a_limit_is_special_cause_in_the_indicators_direction() -> None:
    series = [10, 11, 10, 9, 10, 11, 10, 9, 10, 30]
    assert xmr(series, improvement="increase")["point_type"].iloc[-1] == (
        "special_cause_improvement"
    )
    assert xmr(series, improvement="decrease")["point_type"].iloc[-1] == "special_cause_concern"
    assert xmr(series)["point_type"].iloc[-1] == "special_cause_neutral_high"
    assert xmr(series)["special_cause_rule"].iloc[-1] == "outside_limits"


def test_shift_fixtures_and_a_point_on_the_mean_breaks_the_run() -> None:
    # The package's own fixtures for ptd_seven_point_one_side_mean.
    assert not shift_ends(np.array([1.0] * 6), 7).any()
    assert shift_ends(np.array([1.0] * 8 + [-1.0]), 7).tolist() == [0] * 6 + [1, 1, 0]
    assert shift_ends(np.array([1.0, *[-1.0] * 8, 1.0]), 7).tolist() == [0] * 7 + [1, 1, 0]
    # Three below, one on the mean, six below: no run of seven.
    assert not shift_ends(np.array([-1.0] * 3 + [0.0] + [-1.0] * 6), 7).any()


def test_a_run_of_seven_below_the_mean_is_flagged_whole() -> None:
    series = [10, 12, 11, 13, 10, 12, 11, 13, 8, 9, 8, 9, 8, 9, 8]
    chart = xmr(series, improvement="increase")
    assert chart["special_cause_rule"].iloc[8:].tolist() == ["shift"] * 7
    assert set(chart["point_type"].iloc[8:]) == {"special_cause_concern"}
    assert set(chart["point_type"].iloc[:8]) == {"common_cause"}


def test_trend_fixtures_and_ties() -> None:
    # The package's fixtures for ptd_seven_point_trend.
    assert trend_ends(np.arange(1.0, 7.0), 7).tolist() == [0] * 6
    assert trend_ends(np.array([1, 2, 3, 3, 4, 5, 6.0]), 7).tolist() == [0] * 7  # a tie breaks it
    assert trend_ends(np.arange(1.0, 8.0), 7).tolist() == [0] * 6 + [1]
    assert trend_ends(np.array([2, *range(1, 8), 3.0]), 7).tolist() == [0] * 7 + [1, 0]
    assert trend_ends(np.arange(7.0, 0, -1), 7).tolist() == [0] * 6 + [-1]


def test_a_trend_takes_its_direction_from_the_slope_even_across_the_mean() -> None:
    # Seven rising points that start below the mean and end above it (issue #171 in the package):
    # all are "increasing"; with "decrease" as improvement every one is a concern.
    series = [5, 5.5, 4.5, 5, 5.5, 4.5, 5, 3.0, 3.5, 4.0, 4.5, 5.2, 5.8, 6.1, 5.0, 5.5]
    chart = xmr(series, improvement="decrease")
    trend = chart.index[chart["special_cause_rule"] == "trend"].tolist()
    assert trend == list(range(7, 14))
    assert set(chart["point_type"].iloc[7:14]) == {"special_cause_concern"}


def test_two_in_three_fixtures() -> None:
    # ptd_part_of_two_in_three fixtures: c(1,0,0,1,1) -> c(0,0,0,1,1); c(1,0,0,1) -> zeros.
    same_side = np.ones(5)
    flagged = two_in_three(np.array([1, 0, 0, 1, 1], dtype=bool), same_side)
    assert flagged.tolist() == [False, False, False, True, True]
    assert not two_in_three(np.array([1, 0, 0, 1], dtype=bool), np.ones(4)).any()
    # Points on opposite sides of the mean never make two-in-three (package issue #143).
    assert not two_in_three(np.array([1, 1, 0], dtype=bool), np.array([1.0, -1.0, 1.0])).any()


def test_two_in_three_on_a_chart_and_the_excel_variant_counting_points_beyond() -> None:
    # Limits fixed on 12 points alternating 10, 11: mean 10.5, every moving range 1, so
    # upl 13.16 and the two-sigma line 10.5 + 2 x 2.66 / 3 = 12.2733.
    base = [10.0, 11.0] * 6
    chart = xmr([*base, 12.5, 11.0, 12.6], fix_after=12)
    assert chart["upl"].iloc[0] == pytest.approx(13.16)
    assert chart["nupl"].iloc[0] == pytest.approx(10.5 + 2 * 2.66 / 3)
    assert chart["special_cause_rule"].iloc[12:].tolist() == ["two_in_three", None, "two_in_three"]
    # One point close and one beyond the limit: only the Excel variant counts the one beyond.
    beyond = [*base, 12.5, 11.0, 14.0]
    assert xmr(beyond, fix_after=12)["special_cause_rule"].iloc[12] is None
    variant = xmr(beyond, fix_after=12, two_in_three_beyond_limits=True)
    assert variant["special_cause_rule"].iloc[12] == "two_in_three"
    assert variant["special_cause_rule"].iloc[14] == "outside_limits"  # precedence


def test_fewer_than_seven_points_have_limits_but_no_run_rules() -> None:
    chart = xmr([1, 2, 3, 4, 5, 6], improvement="increase")
    assert set(chart["point_type"]) == {"common_cause"}
    assert chart["trial_limits"].all()
    assert xmr([]).empty


def test_rebase_restarts_mean_limits_and_rules() -> None:
    series = [10, 12, 11, 13, 10, 12, 11, 13, 20, 22, 21, 23, 20, 22, 21, 23]
    whole = xmr(series, improvement="increase")
    assert whole["point_type"].iloc[8:].eq("special_cause_improvement").all()
    rebased = xmr(series, improvement="increase", rebase_at=[8])
    assert rebased["rebase_group"].tolist() == [0] * 8 + [1] * 8
    assert rebased["mean"].iloc[0] == 11.5
    assert rebased["mean"].iloc[8] == 21.5
    assert set(rebased["point_type"]) == {"common_cause"}
    with pytest.raises(ValueError, match="outside the series"):
        xmr(series, rebase_at=[16])


def test_fixed_limits_use_the_first_points_only() -> None:
    series = [10.0, 11, 9, 10, 11, 9, 10, 11, 9, 10, 11, 9, 30, 31, 29]
    fixed = xmr(series, fix_after=12)
    assert fixed["mean"].iloc[0] == 10
    # moving ranges of the first 12: 1, 2, 1 repeated -> 15 / 11
    assert fixed["lpl"].iloc[0] == pytest.approx(10 - 2.66 * 15 / 11)
    assert fixed["outside_limits"].iloc[12:].all()
    assert xmr(series)["mean"].iloc[0] == pytest.approx(sum(series) / 15)
    with pytest.raises(ValueError, match="at least 12"):
        xmr(series, fix_after=5)


def test_zero_moving_range_gives_no_limits_and_no_signal() -> None:
    # Every moving range 0: none is under 3.267 x 0, so screening leaves none (NaN in R).
    chart = xmr([5.0] * 10, improvement="increase")
    assert chart["lpl"].isna().all()
    assert chart["upl"].isna().all()
    assert set(chart["point_type"]) == {"common_cause"}


def test_nan_months_take_no_part() -> None:
    series = [10, 12, 11, float("nan"), 13, 10, 12]
    chart = xmr(series)
    # Moving ranges next to the gap are dropped: |12-10|, |11-12|, |10-13|, |12-10| -> 2.
    assert chart["mean"].iloc[0] == pytest.approx(68 / 6)
    assert chart["upl"].iloc[0] == pytest.approx(68 / 6 + 2.66 * 2)
    assert chart["point_type"].iloc[3] == "common_cause"
    assert math.isnan(chart["value"].iloc[3])
    # Seven present points below the mean around a gap: the gap does not break the run.
    shifted = xmr([10, 11, 10, float("nan"), 11, 10, 11, 10, 12, 13, 12, 13, 12, 13, 12, 13])
    assert not shifted["outside_limits"].any()
    assert shifted["special_cause_rule"].iloc[[0, 1, 2, 4, 5, 6, 7]].eq("shift").all()
    assert shifted["special_cause_rule"].iloc[3] is None


def test_run_length_six_and_improvement_wins_variants() -> None:
    series = [10, 12, 11, 13, 10, 12, 11, 13, 8, 9, 8, 9, 8, 9]  # six below
    assert "shift" not in set(xmr(series)["special_cause_rule"].dropna())
    assert set(xmr(series, run_length=6)["special_cause_rule"].iloc[8:]) == {"shift"}
    # Seven falling points, the last below the lower limit: by precedence a concern (below,
    # with "increase"), but the trend reads the same way, so improvement_wins changes nothing;
    # with "decrease" the trend and the point below are both improvements.
    falling = [20, 21, 20, 21, 20, 21, 20, 19.5, 19, 18.5, 18, 17.5, 17, 16.5, 14]
    chart = xmr(falling, improvement="decrease", improvement_wins=True)
    assert chart["point_type"].iloc[-1] == "special_cause_improvement"


def test_variation_and_assurance_icons() -> None:
    chart = xmr([10, 11, 9, 10, 11, 9, 10, 11, 9, 10, 11, 9, 30], improvement="increase")
    assert variation_icon(chart) == "special_cause_improvement"
    assert variation_icon(xmr([1, 2, 1, 2])) == "common_cause"
    lower, upper = chart["lpl"].iloc[-1], chart["upl"].iloc[-1]
    assert assurance(chart, upper + 1, "increase") == "consistent_fail"
    assert assurance(chart, lower - 1, "increase") == "consistent_pass"
    assert assurance(chart, upper + 1, "decrease") == "consistent_pass"
    assert assurance(chart, lower - 1, "decrease") == "consistent_fail"
    assert assurance(chart, upper, "increase") == "inconsistent"  # comparisons are strict
    assert assurance(chart, None, "increase") is None
    assert assurance(chart, 5, "neutral") is None
