"""p/u charts (qicharts2 formulas) and Anhøj's runs rules, against hand calculation and the
published table of Anhøj & Olesen, "Run charts revisited", PLoS ONE 2014 (Table 1)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from alerts.spc import anhoej, p_chart, u_chart


def test_p_chart_by_hand() -> None:
    # p̄ = 30 / 300 = 0.1; n = 100: 0.1 ± 3·sqrt(0.09/100) = 0.1 ± 0.09.
    chart = p_chart([5, 10, 15], [100, 100, 100])
    assert chart["centre"].tolist() == pytest.approx([0.1] * 3)
    assert chart["value"].tolist() == pytest.approx([0.05, 0.10, 0.15])
    assert chart["lcl"].iloc[0] == pytest.approx(0.01)
    assert chart["ucl"].iloc[0] == pytest.approx(0.19)


def test_p_chart_limits_follow_each_denominator_and_are_clipped() -> None:
    chart = p_chart([1, 20], [10, 190])  # p̄ = 21/200 = 0.105
    assert chart["ucl"].iloc[0] == pytest.approx(0.105 + 3 * math.sqrt(0.105 * 0.895 / 10))
    assert chart["lcl"].iloc[0] == 0.0  # 0.105 − 0.291 clipped at 0
    assert chart["ucl"].iloc[1] < chart["ucl"].iloc[0]


def test_zero_and_full_proportions_and_empty_months() -> None:
    none = p_chart([0, 0, 0], [10, 20, 30])
    assert none["centre"].iloc[0] == 0
    assert (none["ucl"] == 0).all()
    every = p_chart([10, 20], [10, 20])
    assert every["centre"].iloc[0] == 1
    assert (every["lcl"] == 1).all()
    gap = p_chart([1, 0, 3], [10, 0, 30])
    assert math.isnan(gap["value"].iloc[1])
    assert math.isnan(gap["ucl"].iloc[1])
    assert gap["centre"].iloc[0] == pytest.approx(0.1)
    with pytest.raises(ValueError, match="larger than its denominator"):
        p_chart([11], [10])


def test_laney_p_prime_scales_sigma_by_the_moving_range_of_z() -> None:
    x, n = [10, 30, 20, 40], [100, 100, 100, 100]
    plain = p_chart(x, n)
    laney = p_chart(x, n, laney=True)
    # p̄ = 0.25, sigma = sqrt(0.1875/100) = 0.0433013; z = -3.4641, 1.1547, -1.1547, 3.4641;
    # mean |Δz| = (4.6188 + 2.3094 + 4.6188)/3 = 3.849; σz = 3.849 / 1.128 = 3.41223.
    sigma = math.sqrt(0.25 * 0.75 / 100)
    z = [(p - 0.25) / sigma for p in (0.1, 0.3, 0.2, 0.4)]
    sigma_z = np.mean(np.abs(np.diff(z))) / 1.128
    assert sigma_z == pytest.approx(3.41223, abs=1e-5)
    assert laney["ucl"].iloc[0] == pytest.approx(0.25 + 3 * sigma * sigma_z)
    assert plain["ucl"].iloc[0] == pytest.approx(0.25 + 3 * sigma)


def test_u_chart_with_a_multiplier() -> None:
    # ū = 12 / 4,000 = 0.003 per birth = 3 per 1,000; n = 1,000: 3 ± 3·sqrt(0.003/1000)·1000.
    chart = u_chart([2, 4, 6], [1000, 1000, 2000], multiplier=1000)
    assert chart["centre"].iloc[0] == pytest.approx(3.0)
    assert chart["value"].tolist() == pytest.approx([2.0, 4.0, 3.0])
    assert chart["ucl"].iloc[0] == pytest.approx(3 + 3 * math.sqrt(0.003 / 1000) * 1000)
    assert chart["lcl"].iloc[0] == 0.0
    assert u_chart([3, 5], [1, 1], laney=True)["centre"].iloc[0] == pytest.approx(4)


@pytest.mark.parametrize(
    ("points", "longest_run_max", "crossings_min"),
    # Anhøj & Olesen 2014, Table 1.
    [(10, 6, 2), (12, 7, 3), (20, 7, 6), (24, 8, 8), (30, 8, 10), (50, 9, 19), (100, 10, 41)],
)
def test_anhoej_limits_match_the_published_table(
    points: int, longest_run_max: int, crossings_min: int
) -> None:
    result = anhoej(np.arange(points) % 2, 0.5)
    assert result["longest_run_max"] == longest_run_max
    assert result["crossings_min"] == crossings_min


def test_anhoej_signals_and_points_on_the_centre_line() -> None:
    # 20 points: 10 below then 10 above: longest run 10 > 7 and 1 crossing < 6.
    shifted = anhoej([1] * 10 + [3] * 10, 2)
    assert shifted["longest_run"] == 10
    assert shifted["crossings"] == 1
    assert shifted["runs_signal"]
    assert shifted["crossings_signal"]
    assert shifted["signal"]
    # Points on the centre line are not useful: dropped before counting.
    centred = anhoej([1, 2, 3, 2, 1, 2, 3], 2)
    assert centred["useful_points"] == 4
    assert centred["crossings"] == 3
    assert not anhoej([1, 3] * 10, 2)["signal"]
    assert anhoej([2, 2], 2)["useful_points"] == 0
    assert anhoej([1, 3, float("nan"), 1], [2, 2, 2, 2])["crossings"] == 2
