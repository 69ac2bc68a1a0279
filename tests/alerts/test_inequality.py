"""Inequality statistics against published worked examples and hand calculation.

Sources: Newcombe, "Two-sided confidence intervals for the single proportion", Stat Med 1998
(Table I, Wilson score method); the exact Poisson limits tabulated by Garwood (1936) and used by
PHEindicatormethods; the public-health disclosure rule of ../shared/domain/spc.md.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from alerts.inequality import (
    byar,
    count_ci,
    disclose,
    disclose_rate,
    exact_poisson,
    funnel_proportions,
    rate_ratio,
    risk_ratio,
    sii,
    traffic_light,
    wilson,
)


@pytest.mark.parametrize(
    ("x", "n", "lower", "upper"),
    [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_matches_newcombe_table(x: int, n: int, lower: float, upper: float) -> None:
    low, high = wilson(x, n)
    assert low == pytest.approx(lower, abs=5e-5)
    assert high == pytest.approx(upper, abs=5e-5)


def test_wilson_edges() -> None:
    assert wilson(20, 20)[1] == pytest.approx(1.0)
    assert wilson(5, 0) == (None, None)
    assert wilson(50, 100, confidence=0.998)[0] < wilson(50, 100)[0]
    with pytest.raises(ValueError, match="0 ≤ x ≤ n"):
        wilson(5, 4)


@pytest.mark.parametrize(
    ("x", "lower", "upper"),
    [(0, 0.0, 3.689), (1, 0.0253, 5.572), (5, 1.6235, 11.668), (9, 4.1154, 17.0848)],
)
def test_exact_poisson_matches_the_tables(x: int, lower: float, upper: float) -> None:
    low, high = exact_poisson(x)
    assert low == pytest.approx(lower, abs=5e-4)
    assert high == pytest.approx(upper, abs=5e-4)


def test_byar_approximates_the_exact_interval_and_count_ci_switches_at_ten() -> None:
    # 100 events: exact 81.364 to 121.627; Byar 81.362 to 121.628.
    low, high = byar(100)
    assert low == pytest.approx(81.362, abs=1e-3)
    assert high == pytest.approx(121.628, abs=1e-3)
    assert count_ci(9) == exact_poisson(9)
    assert count_ci(10) == byar(10)
    # By hand: x = 10, z = 1.959964: 10·(1 − 1/90 − z/(3·sqrt 10))³ = 4.7954.
    assert byar(10)[0] == pytest.approx(10 * (1 - 1 / 90 - 1.959964 / (3 * math.sqrt(10))) ** 3)
    assert byar(0)[0] is None  # no lower limit below zero


def test_risk_and_rate_ratios_by_hand() -> None:
    # 20/100 against 10/100: RR 2, SE = sqrt(1/20 − 1/100 + 1/10 − 1/100) = 0.36056,
    # CI = 2·exp(∓1.959964 × 0.36056) = 0.98656 to 4.05448.
    ratio, lower, upper = risk_ratio(20, 100, 10, 100)
    assert (ratio, lower, upper) == pytest.approx((2.0, 0.98656, 4.05448), abs=5e-5)
    # Rate ratio 20/1,000 against 10/1,000: SE = sqrt(1/20 + 1/10) = 0.38730 -> 0.93618 to 4.27267.
    assert rate_ratio(20, 1000, 10, 1000) == pytest.approx((2.0, 0.93618, 4.27267), abs=5e-5)
    assert risk_ratio(0, 100, 10, 100) == (0.0, None, None)
    assert risk_ratio(5, 100, 0, 100) == (None, None, None)
    assert rate_ratio(5, 0, 3, 100) == (None, None, None)


def test_traffic_lights() -> None:
    assert traffic_light(2.0, 1.2, 3.0, higher_is_better=False) == "red"
    assert traffic_light(2.0, 0.9, 3.0, higher_is_better=False) == "amber"
    assert traffic_light(0.8, 0.7, 0.9, higher_is_better=False) == "green"
    assert traffic_light(0.8, 0.7, 0.9, higher_is_better=True) == "red"
    assert traffic_light(2.0, 1.2, 3.0, higher_is_better=False, reliable=False) == "amber"
    assert traffic_light(None, None, None, higher_is_better=True) is None


def test_sii_and_rii_by_hand() -> None:
    # PHE's phe_sii convention: quintile 1 (most deprived) first at x = 0.1, quintile 5 (least)
    # at x = 0.9, equal populations. Rates 10 ... 2 fall 2 per 0.2 towards the least deprived
    # end, so the fitted line is 11 - 10x: SII (fitted at x = 1 minus at x = 0) = -10,
    # intercept 11 and RII = (11 - 10) / 11 = 1/11.
    index = sii([10, 8, 6, 4, 2], [100] * 5)
    assert (index.sii, index.intercept, index.rii) == pytest.approx((-10.0, 11.0, 1 / 11))
    assert index.sii_lower is None
    # The same rates listed from the least deprived give the same answer.
    reversed_input = sii([2, 4, 6, 8, 10], [100] * 5, most_deprived_first=False)
    assert (reversed_input.sii, reversed_input.rii) == pytest.approx((-10.0, 1 / 11))
    # With standard errors of 1 and equal weights: Var(slope) = 1 / Σ(x − x̄)² = 1 / 0.4.
    with_ci = sii([10, 8, 6, 4, 2], [100] * 5, standard_errors=[1] * 5)
    half_width = 1.959964 * math.sqrt(1 / 0.4)
    assert with_ci.sii_lower == pytest.approx(-10 - half_width, abs=1e-5)
    assert with_ci.sii_upper == pytest.approx(-10 + half_width, abs=1e-5)
    assert with_ci.rii_lower is not None
    assert with_ci.rii_upper is not None
    assert with_ci.rii_lower < 1 / 11 < with_ci.rii_upper
    # A negative multiplier reverses the polarity: the SII scales, its limits swap, RII inverts.
    flipped = sii([10, 8, 6, 4, 2], [100] * 5, standard_errors=[1] * 5, multiplier=-100)
    assert flipped.sii == pytest.approx(1000.0)
    assert flipped.sii_lower == pytest.approx(100 * (10 - half_width), abs=1e-3)
    assert flipped.sii_upper == pytest.approx(100 * (10 + half_width), abs=1e-3)
    assert flipped.rii == pytest.approx(11.0)
    assert flipped.rii_lower == pytest.approx(1 / with_ci.rii_upper)
    # Unequal populations move the midpoints: a flat gradient stays flat.
    assert sii([5, 5, 5], [10, 200, 40]).sii == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(ValueError, match="positive population"):
        sii([1, 2], [0, 10])


def test_funnel_limits_without_overdispersion_by_hand() -> None:
    # Identical proportions: every z is 0, φ = 0, so the limits are unadjusted:
    # sin²(asin(sqrt 0.1) ∓ z/(2·sqrt n)).
    frame = funnel_proportions([10, 20, 40], [100, 200, 400])
    assert frame.attrs["target"] == pytest.approx(0.1)
    assert frame.attrs["tau2"] == 0.0
    centre = math.asin(math.sqrt(0.1))
    assert frame["lcl95"].iloc[0] == pytest.approx(math.sin(centre - 1.959964 / 20) ** 2)
    assert frame["ucl998"].iloc[2] == pytest.approx(math.sin(centre + 3.090232 / 40) ** 2)
    assert not frame["outlier"].any()


def test_funnel_overdispersion_widens_limits_and_flags_outliers() -> None:
    n = np.array([500, 800, 1000, 1200, 600, 900, 700, 1100, 1000, 400])
    x = np.array([40, 50, 100, 60, 30, 120, 35, 66, 400, 20])
    adjusted = funnel_proportions(x, n)
    plain = funnel_proportions(x, n, overdispersion=False)
    # By hand (independently of the module): winsorised φ and τ² per Spiegelhalter (2005).
    theta = x.sum() / n.sum()
    z = (np.arcsin(np.sqrt(x / n)) - np.arcsin(np.sqrt(theta))) * 2 * np.sqrt(n)
    lo, hi = np.percentile(z, [10, 90])
    phi = np.mean(np.clip(z, lo, hi) ** 2)
    w = 4 * n
    tau2 = (len(n) * phi - (len(n) - 1)) / (w.sum() - (w**2).sum() / w.sum())
    assert adjusted.attrs["phi"] == pytest.approx(phi)
    assert adjusted.attrs["tau2"] == pytest.approx(tau2)
    assert (adjusted["ucl998"] > plain["ucl998"]).all()
    assert plain["outlier"].sum() > adjusted["outlier"].sum() >= 1
    assert adjusted["outlier"].iloc[8]  # 400 / 1,000 against a target near 0.1


def test_disclosure_rule() -> None:
    assert [disclose(c) for c in (0, 1, 7, 8, 12, 13, 100, 102, 103)] == [
        0, 5, 5, 10, 10, 15, 100, 100, 105,
    ]  # fmt: skip
    with pytest.raises(ValueError, match="negative"):
        disclose(-1)


def test_disclosed_rates() -> None:
    # Percentages from the rounded counts: 12/103 -> 10/105.
    percentage = disclose_rate(12, 103)
    assert (percentage.numerator, percentage.denominator) == (10, 105)
    assert percentage.rate == pytest.approx(10 / 105 * 100)
    # Rare events per 1,000 from the unrounded counts, hidden when the numerator is 1–7.
    assert disclose_rate(12, 2003, 1000).rate == pytest.approx(12 / 2003 * 1000)
    hidden = disclose_rate(3, 2003, 1000)
    assert hidden.rate is None
    assert hidden.numerator == 5
    assert hidden.numerator_suppressed
    assert disclose_rate(0, 2003, 1000).rate == 0.0
    assert disclose_rate(2, 9).rate is None  # denominator under 10
    assert disclose_rate(3, 500).rate is None  # a percentage on a suppressed numerator too
