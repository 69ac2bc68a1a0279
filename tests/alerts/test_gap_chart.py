"""The gap chart: each group's monthly difference from its reference charted as an XmR chart,
row by row the same as the single-series XmR (NHSRplotthedots 0.2.2, tested in test_xmr.py),
with gaps skipped; and a widening gap found where neither group's own rate chart moves."""

from __future__ import annotations

import numpy as np
import pytest

from alerts.spc.gap import gap_charts
from alerts.spc.xmr import xmr


def test_each_row_is_the_single_series_xmr_chart() -> None:
    rng = np.random.default_rng(7)
    rows = rng.normal(0.0, 2.0, size=(5, 30))
    rows[2, 20:] += 6.0  # a step: a shift and points beyond the limits
    signs = np.array([-1, 1, -1, 0, 1])
    charts = gap_charts(rows, signs)
    words = {-1: "decrease", 1: "increase", 0: "neutral"}
    for row, sign in enumerate(signs):
        expected = xmr(rows[row], improvement=words[int(sign)])  # type: ignore[arg-type]
        assert charts["gap_centre"][row] == pytest.approx(expected["mean"].to_numpy())
        assert charts["gap_upper"][row] == pytest.approx(expected["upl"].to_numpy())
        assert charts["gap_lower"][row] == pytest.approx(expected["lpl"].to_numpy())
        assert list(charts["gap_point_type"][row]) == list(expected["point_type"])
    assert "special_cause_concern" in set(charts["gap_point_type"][2])  # the step, worse side


def test_a_month_without_a_difference_is_a_gap_not_a_zero() -> None:
    values = np.array([[1.0, 2.0, np.nan, 3.0, 2.0, 1.0]])
    chart = gap_charts(values, np.array([-1]))
    present = values[0][~np.isnan(values[0])]
    expected = xmr(present, improvement="decrease")
    assert chart["gap_centre"][0, 0] == pytest.approx(expected["mean"][0])  # mean of 5 points
    assert np.isnan(chart["gap_centre"][0, 2])
    assert chart["gap_upper"][0, 3] == pytest.approx(expected["upl"][2])
    with pytest.raises(ValueError, match="2-D"):
        gap_charts(values[0], np.array([-1]))


def test_a_widening_gap_with_flat_group_rates_is_a_special_cause_on_the_gap() -> None:
    # The group's rate holds at 10% a month; the reference's drifts down by 0.1 point a month
    # (an improvement that reached only the reference group). The group's own chart shows
    # nothing; the gap's shows the widening as a concern.
    months = 24
    noise = np.tile([0.03, -0.03, 0.02, -0.02], months // 4)
    group = 10.0 + noise
    reference = 10.0 - 0.1 * np.arange(months) - noise
    group_chart = xmr(group, improvement="decrease")
    assert set(group_chart["point_type"]) == {"common_cause"}
    gap = gap_charts((group - reference)[None, :], np.array([-1]))
    assert gap["gap_point_type"][0][-1] == "special_cause_concern"  # the latest month: news
