"""Benjamini–Hochberg against the worked example of Benjamini and Hochberg (1995, section 4):
15 p-values from a trial, of which the procedure at q = 0.05 rejects the four smallest where
Bonferroni rejects three; adjusted p-values by hand; a ratio's p-value from its interval."""

from __future__ import annotations

import math

import pytest

from alerts.inequality.comparisons import risk_ratio
from alerts.inequality.multiplicity import (
    adjusted_p_values,
    benjamini_hochberg,
    ratio_p_value,
)

TRIAL = [0.0201, 0.7590, 0.0001, 0.0004, 0.0019, 0.0095, 0.0278, 0.0298, 0.0344, 0.0459,
         0.3240, 0.4262, 0.5719, 0.6528, 1.0000]  # fmt: skip


def test_the_papers_example_rejects_the_four_smallest() -> None:
    found = benjamini_hochberg(TRIAL, 0.05)
    assert [p for p, f in zip(TRIAL, found, strict=True) if f] == [0.0001, 0.0004, 0.0019, 0.0095]
    # 0.0201 is the fifth smallest: 5 × 0.05 / 15 = 0.0167 < 0.0201, and no later one passes.
    assert sum(benjamini_hochberg(TRIAL, 0.10)) == 9  # 9 × 0.1 / 15 = 0.06 ≥ 0.0459


def test_adjusted_p_values_by_hand() -> None:
    adjusted = dict(zip(TRIAL, adjusted_p_values(TRIAL), strict=True))
    assert adjusted[0.0001] == pytest.approx(0.0015)  # 15 × 0.0001 / 1
    assert adjusted[0.0004] == pytest.approx(0.003)  # 15 × 0.0004 / 2
    assert adjusted[0.0095] == pytest.approx(0.035625)  # 15 × 0.0095 / 4
    # 0.0201 (rank 5): 15 × 0.0201 / 5 = 0.0603, but 0.0459 (rank 10) gives 0.06885 and
    # 0.0278 (rank 6) 0.0695: the least from rank 5 on is 0.0603.
    assert adjusted[0.0201] == pytest.approx(0.0603)
    assert adjusted[1.0] == pytest.approx(1.0)
    assert [a <= 0.05 for a in adjusted_p_values(TRIAL)] == benjamini_hochberg(TRIAL, 0.05)


def test_untested_comparisons_are_never_discoveries() -> None:
    assert benjamini_hochberg([None, 0.001, None], 0.05) == [False, True, False]
    assert adjusted_p_values([None, 0.02]) == [None, 0.02]
    assert benjamini_hochberg([], 0.05) == []
    with pytest.raises(ValueError, match="q must be between"):
        benjamini_hochberg([0.01], 0.0)


def test_a_ratios_p_value_comes_from_its_interval() -> None:
    # 30 of 1,000 against 15 of 1,000: RR 2, SE(log RR) = sqrt(1/30 − 1/1000 + 1/15 − 1/1000).
    ratio, lower, upper = risk_ratio(30, 1000, 15, 1000)
    se = math.sqrt(1 / 30 - 1 / 1000 + 1 / 15 - 1 / 1000)
    z = math.log(2) / se  # 0.693147 / sqrt(0.098) = 0.693147 / 0.313050 = 2.21418
    assert z == pytest.approx(2.21418, abs=1e-5)
    # p = 2(1 − Φ(2.21418))
    assert ratio_p_value(ratio, lower, upper) == pytest.approx(0.02682, abs=1e-5)
    assert ratio_p_value(None, None, None) is None
    assert ratio_p_value(2.0, None, 3.0) is None
