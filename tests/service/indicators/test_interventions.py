"""Interventions: the before/after report on a constructed series (judged against the limits of
the months before), and recording one through the API, which marks the chart and, with rebase,
restarts its limits from the intervention's month."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient

from service.indicators.interventions import before_after
from tests.service.conftest import READER_TOKEN as READER
from tests.service.conftest import WRITER_TOKEN as WRITER
from tests.service.conftest import assert_outcome, bearer
from tests.service.indicators.conftest import seed_counts

START = 2024 * 12  # January 2024 as a month number


def points(rates: list[float], denominator: int = 1000) -> dict[str, list]:
    return {
        "month": list(range(START, START + len(rates))),
        "rate": rates,
        "dq_pass": [True] * len(rates),
        "numerator": [round(r * denominator / 1000) for r in rates],
        "denominator": [denominator] * len(rates),
    }


def test_before_after_on_a_constructed_series() -> None:
    # Twelve months around 50 per 1,000, then twelve around 40.
    before = [50, 52, 48, 51, 49, 50, 53, 47, 50, 52, 48, 50]
    after = [40, 41, 39, 40, 42, 38, 40, 41, 39, 40, 41, 40]
    report = before_after(
        points(before + after), date(2025, 1, 20), improvement="decrease", per=1000
    )
    assert (report.months_before, report.months_after) == (12, 12)
    assert report.mean_before == pytest.approx(50.0)
    assert report.mean_after == pytest.approx(sum(after) / 12)
    assert report.rate_before == pytest.approx(50.0)
    assert report.rate_after == pytest.approx(sum(after) / 12)
    # Limits before: moving ranges 2,4,3,2,1,3,6,3,2,4,2 -> 32/11; 3.267 x 2.909 keeps all.
    amr = 32 / 11
    assert report.limits_before == pytest.approx((50 - 2.66 * amr, 50 + 2.66 * amr))
    # Every month after is below 42.26 (the lower limit): special-cause improvement.
    assert report.special_cause_improvement_after
    assert not report.special_cause_concern_after
    assert report.ratio == pytest.approx(report.rate_after / report.rate_before)
    assert report.ratio_upper < 1
    assert "unlikely to be chance" in report.summary


def test_no_change_and_too_little_data() -> None:
    steady = [50, 52, 48, 51, 49, 50, 53, 47, 50, 52, 48, 50]
    report = before_after(points(steady * 2), date(2025, 1, 1), improvement="decrease", per=1000)
    assert not report.special_cause_improvement_after
    assert "no evidence of a change" in report.summary
    early = before_after(points(steady), date(2024, 1, 1), improvement="decrease", per=1000)
    assert early.limits_before is None
    assert "Not enough months" in early.summary


def test_a_worse_run_after_is_a_concern() -> None:
    before = [50, 52, 48, 51, 49, 50, 53, 47, 50, 52, 48, 50]
    report = before_after(
        points(before + [55] * 7), date(2025, 1, 1), improvement="decrease", per=1000
    )
    assert report.special_cause_concern_after  # seven above the mean of the months before


def test_an_intervention_with_rebase_changes_the_limits_from_its_month(
    api: TestClient, empty_database_url: str
) -> None:
    seed_counts(empty_database_url)
    chart = api.get("/api/indicators/smoking_at_delivery", headers=bearer(READER)).json()
    months = chart["strata"][0]["months"]
    assert {m["rebase_group"] for m in months} == {0}
    assert months[-1]["point_type"] == "special_cause_improvement"

    created = api.post(
        "/api/interventions",
        json={
            "indicator": "smoking_at_delivery",
            "date": "2023-11-14",
            "description": "Tobacco dependence service opened",
            "owner": "Public health midwife",
            "rebase": True,
        },
        headers=bearer(WRITER),
    )
    assert created.status_code == 201, created.text
    assert created.headers["location"] == f"/api/interventions/{created.json()['id']}"

    chart = api.get("/api/indicators/smoking_at_delivery", headers=bearer(READER)).json()
    months = chart["strata"][0]["months"]
    assert [m["rebase_group"] for m in months] == [0] * 10 + [1] * 8
    assert months[0]["centre"] == pytest.approx(8.0)
    assert months[10]["centre"] == pytest.approx(4.0)
    assert chart["interventions"][0]["description"] == "Tobacco dependence service opened"

    report = api.get(
        f"/api/interventions/{created.json()['id']}/report", headers=bearer(READER)
    ).json()["report"]
    assert report["rate_before"] == pytest.approx(8.0)
    assert report["rate_after"] == pytest.approx(4.0)
    assert report["special_cause_improvement_after"] is True


def test_bad_interventions_are_refused_with_an_operation_outcome(api: TestClient) -> None:
    good = {
        "indicator": "oasi",
        "date": "2025-01-01",
        "description": "x",
        "owner": "Labour ward",
    }
    unknown = api.post(
        "/api/interventions", json={**good, "indicator": "nope"}, headers=bearer(WRITER)
    )
    outcome = assert_outcome(unknown, 400, "invalid")
    assert "unknown indicator 'nope'" in str(outcome)
    bad_date = api.post(
        "/api/interventions", json={**good, "date": "01/02/2025"}, headers=bearer(WRITER)
    )
    assert "date" in str(assert_outcome(bad_date, 400, "invalid"))
    no_group = api.post(
        "/api/interventions",
        json={**good, "stratification": "ethnic_group", "stratum": ""},
        headers=bearer(WRITER),
    )
    assert "stratum" in str(assert_outcome(no_group, 400, "invalid"))
    forbidden = api.post("/api/interventions", json=good, headers=bearer(READER))
    assert_outcome(forbidden, 403, "forbidden")
    missing = api.get("/api/interventions/999/report", headers=bearer(READER))
    assert_outcome(missing, 404, "not-found")
