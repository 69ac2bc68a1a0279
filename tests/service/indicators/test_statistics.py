"""From counts to results, on constructed counts: rates and intervals in the indicator's unit,
the comparison with the reference group and its traffic light, the data-quality gate, SPC on
the overall series (as alerts.spc.xmr computes it) and on strata, rebasing, and the window's
funnel and gradient."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from alerts.inequality import risk_ratio, sii, wilson
from alerts.spc import xmr
from service.indicators.catalogue import load_catalogue
from service.indicators.charts import Rebase
from service.indicators.comparisons import rates
from service.indicators.statistics import analyse

MONTHS = pd.date_range("2023-01-01", periods=24, freq="MS")


def counts(
    indicator: str,
    stratification: str,
    stratum: str,
    numerators: list[int],
    denominators: list[int],
    completeness: float = 1.0,
) -> pd.DataFrame:
    size = len(numerators)
    return pd.DataFrame(
        {
            "indicator_id": indicator,
            "period": MONTHS[:size],
            "stratification": stratification,
            "stratum": stratum,
            "population": denominators,
            "complete": [round(d * completeness) for d in denominators],
            "denominator": denominators,
            "numerator": numerators,
        }
    )


def series(results, indicator: str, stratification: str, stratum: str) -> dict:
    return next(
        s
        for s in results.series
        if (s["indicator_id"], s["stratification"], s["stratum"])
        == (indicator, stratification, stratum)
    )


def test_rates_and_intervals_are_in_the_indicators_unit() -> None:
    frame = rates(counts("oasi", "overall", "all", [12], [400]), load_catalogue())
    lower, upper = wilson(12, 400)
    assert frame["rate"].iloc[0] == pytest.approx(30.0)  # per 1,000
    assert frame["ci_lower"].iloc[0] == pytest.approx(lower * 1000)
    assert frame["ci_upper"].iloc[0] == pytest.approx(upper * 1000)
    assert bool(frame["dq_pass"].iloc[0])
    assert not bool(frame["suppressed"].iloc[0])


def test_comparison_with_the_reference_group_and_traffic_lights() -> None:
    data = pd.concat(
        [
            counts("oasi", "ethnic_group", "White", [20], [1000]),
            counts("oasi", "ethnic_group", "Asian", [60], [1000]),
            counts("oasi", "ethnic_group", "Black", [25], [1000]),
            counts("oasi", "ethnic_group", "Mixed", [5], [100]),  # suppressed numerator
            counts("breast_milk_first_feed", "ethnic_group", "White", [800], [1000]),
            counts("breast_milk_first_feed", "ethnic_group", "Asian", [700], [1000]),
        ]
    )
    frame = rates(data, load_catalogue()).set_index(["indicator_id", "stratum"])
    asian = frame.loc[("oasi", "Asian")]
    ratio, lower, upper = risk_ratio(60, 1000, 20, 1000)
    assert (asian["ratio"], asian["ratio_lower"], asian["ratio_upper"]) == pytest.approx(
        (ratio, lower, upper)
    )
    assert asian["difference"] == pytest.approx(40.0)
    assert asian["rag"] == "red"
    assert frame.loc[("oasi", "Black"), "rag"] == "amber"  # worse, not significantly
    assert frame.loc[("oasi", "Mixed"), "rag"] == "amber"  # never red when suppressed
    assert pd.isna(frame.loc[("oasi", "White"), "rag"])  # the reference itself
    # Higher is better: a lower proportion is the worse side.
    assert frame.loc[("breast_milk_first_feed", "Asian"), "rag"] == "red"


def test_a_neutral_indicator_has_no_traffic_light() -> None:
    data = pd.concat(
        [
            counts("caesarean_emergency", "ethnic_group", "White", [100], [1000]),
            counts("caesarean_emergency", "ethnic_group", "Black", [300], [1000]),
        ]
    )
    assert rates(data, load_catalogue())["rag"].isna().all()


def test_the_overall_chart_is_the_xmr_of_the_monthly_rates() -> None:
    rng = np.random.default_rng(3)
    denominators = [int(d) for d in rng.integers(700, 800, 24)]
    numerators = [int(d * 0.08) for d in denominators]
    numerators[20:] = [int(d * 0.04) for d in denominators[20:]]
    results = analyse(
        counts("smoking_at_delivery", "overall", "all", numerators, denominators),
        load_catalogue(),
    )
    chart = series(results, "smoking_at_delivery", "overall", "all")["points"]
    expected = xmr(
        [n / d * 100 for n, d in zip(numerators, denominators, strict=True)],
        improvement="decrease",
    )
    assert chart["centre"] == pytest.approx(expected["mean"].to_numpy())
    assert chart["upper_limit"] == pytest.approx(expected["upl"].to_numpy())
    assert list(chart["point_type"]) == expected["point_type"].tolist()
    assert chart["point_type"][-1] == "special_cause_improvement"


def test_a_month_failing_the_completeness_gate_is_a_gap_in_the_chart() -> None:
    good = counts("smoking_at_booking", "overall", "all", [80] * 14, [1000] * 14)
    poor = counts("smoking_at_booking", "overall", "all", [500], [1000], completeness=0.5)
    poor["period"] = MONTHS[14]
    results = analyse(pd.concat([good, poor]), load_catalogue())
    chart = series(results, "smoking_at_booking", "overall", "all")
    assert chart["points"]["dq_pass"][14] is False
    assert chart["points"]["point_type"][14] == "common_cause"  # 50% would be far beyond
    assert chart["latest_period"] == "2024-02"  # the latest month with a usable value


def test_rebase_restarts_the_limits_from_the_interventions_month() -> None:
    numerators = [80, 85, 75, 82, 78, 80, 84, 76, 81, 79, 40, 42, 38, 41, 39, 40, 43, 37]
    data = counts("smoking_at_delivery", "overall", "all", numerators, [1000] * 18)
    plain = series(analyse(data, load_catalogue()), "smoking_at_delivery", "overall", "all")
    rebased = series(
        analyse(
            data,
            load_catalogue(),
            [Rebase("smoking_at_delivery", "overall", "all", date(2023, 11, 14))],
        ),
        "smoking_at_delivery",
        "overall",
        "all",
    )["points"]
    assert list(rebased["rebase_group"]) == [0] * 10 + [1] * 8
    assert rebased["centre"][0] == pytest.approx(8.0)
    assert rebased["centre"][10] == pytest.approx(4.0)
    assert set(rebased["point_type"]) == {"common_cause"}
    assert "special_cause_improvement" in set(plain["points"]["point_type"])


def test_strata_charts_use_exact_limits_for_rare_events() -> None:
    # One event in 24 months of 60 births: p̄ = 1/1,440. Normal 3-sigma limits put the upper
    # limit at 0.694 + 3·sqrt(0.000694/60)·1000 = 10.9 per 1,000, so the month with one event
    # (16.7) would be "special cause", though a month with an event is not rare here
    # (P(X ≥ 1) = 4%). Exact limits: P(X > 1) = 0.00086 ≤ 0.00135, so the limit is 1 event.
    numerators = [0] * 23 + [1]
    data = counts("brain_injury", "ethnic_group", "Mixed", numerators, [60] * 24)
    chart = series(analyse(data, load_catalogue()), "brain_injury", "ethnic_group", "Mixed")
    assert chart["points"]["upper_limit"][-1] == pytest.approx(1 / 60 * 1000)
    assert chart["points"]["point_type"][-1] == "common_cause"


def test_an_overall_chart_of_a_rare_outcome_has_exact_limits_not_xmr_ones() -> None:
    # Neonatal deaths in a unit of 1,000 births a month: two in two years. Its XmR chart: the
    # 4 moving ranges of one death (1 per 1,000) are over 3.267 × the mean range (0.17), so
    # the screening drops them, the mean range is 0 and the limits sit on the mean: each
    # month with a death is "beyond the limits" (checked here). A typical month expects 0.08
    # deaths (< 5): against exact binomial limits a month with one death is no signal
    # (P(X ≥ 1 | p̄ = 1/12,000) is 8%, far from the 0.135% the limits keep).
    numerators = [0] * 24
    numerators[8] = numerators[20] = 1
    denominators = [1000] * 24
    rates_per_1000 = [n / d * 1000 for n, d in zip(numerators, denominators, strict=True)]
    assert "special_cause_concern" in set(xmr(rates_per_1000, improvement="decrease")["point_type"])
    results = analyse(
        counts("neonatal_death", "overall", "all", numerators, denominators), load_catalogue()
    )
    chart = series(results, "neonatal_death", "overall", "all")["points"]
    assert chart["chart"] == "p_prime"
    assert chart["upper_limit"][-1] >= 1.0  # a month with one death is within the limits
    assert "special_cause_concern" not in set(chart["point_type"])


def test_window_summary_funnel_and_gradient() -> None:
    rows = []
    for quintile, rate in zip("12345", (0.12, 0.10, 0.08, 0.06, 0.04), strict=True):
        rows.append(
            counts(
                "smoking_at_booking", "imd_quintile", quintile, [int(rate * 500)] * 24, [500] * 24
            )
        )
    results = analyse(pd.concat(rows), load_catalogue())
    summary = next(s for s in results.stratifications if s["stratification"] == "imd_quintile")
    window = series(results, "smoking_at_booking", "imd_quintile", "1")["window"]
    assert (window["window_start"], window["window_end"]) == ("2024-01", "2024-12")
    assert window["numerator"] == 60 * 12
    assert window["denominator"] == 500 * 12
    expected = sii([12.0, 10.0, 8.0, 6.0, 4.0], [6000] * 5)
    assert summary["gradient"]["sii"] == pytest.approx(expected.sii)
    assert summary["gradient"]["rii"] == pytest.approx(expected.rii)
    assert summary["gradient"]["sii_lower"] < expected.sii < summary["gradient"]["sii_upper"]
    funnel = summary["funnel"]
    assert funnel["strata"] == ["1", "2", "3", "4", "5"]
    assert funnel["target"] == pytest.approx(8.0)
    # Five quintiles all far apart: FunnelPlotR's overdispersion term absorbs the spread.
    assert funnel["phi"] > 1
    assert funnel["tau2"] > 0
    assert funnel["lcl998"][0] < funnel["lcl95"][0] < 8.0 < funnel["ucl95"][0]
    assert all(not math.isnan(v) for v in funnel["ucl998"])


def test_a_stratum_chart_rebases_too() -> None:
    # Asian women's smoking at delivery, 500 a month: 40 for ten months, then 20.
    data = counts("smoking_at_delivery", "ethnic_group", "Asian", [40] * 10 + [20] * 8, [500] * 18)
    rebase = Rebase("smoking_at_delivery", "ethnic_group", "Asian", date(2023, 11, 1))
    chart = series(analyse(data, load_catalogue(), [rebase]), *rebase_key(rebase))["points"]
    assert list(chart["rebase_group"]) == [0] * 10 + [1] * 8
    assert chart["centre"][0] == pytest.approx(8.0)
    assert chart["centre"][10] == pytest.approx(4.0)
    assert set(chart["point_type"]) == {"common_cause"}
    plain = series(analyse(data, load_catalogue()), *rebase_key(rebase))["points"]
    assert "special_cause_improvement" in set(plain["point_type"])


def rebase_key(rebase: Rebase) -> tuple[str, str, str]:
    return (rebase.indicator_id, rebase.stratification, rebase.stratum)
