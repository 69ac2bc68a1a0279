"""The CQIMs leave the service as FHIR: each a `Measure`, each figure a `MeasureReport` from
`Measure/<id>/$evaluate-measure` and from `perinatal national measures --format fhir`, valid
R4, and disclosure-controlled. The counts are checked against the independent SQL of
`test_cqim_parity.py` over the same edge-case folder, as they may be published. The months the
dashboard charts are those windows a month long, and chart as a p-chart with the MDC rules."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from alerts.inequality import disclose
from fhir_mappings.fhir.conformance import check_resource
from service.api.app import create_app
from service.config import Settings
from service.indicators.projection_frames import read_frames
from service.national.cqim import NationalFigure, fields_read, load_cqims, national_figures
from service.national.fhir_reports import WITHHELD_REASON
from service.national.monthly import chart_months, monthly_figures
from service.storage.engine import make_session_factory
from tests.service.conftest import READER_TOKEN, TOKENS, assert_outcome, bearer
from tests.service.national.test_cqim_parity import folder, loaded_product, sql_figures

__all__ = ["folder"]  # the module's edge-case MSDS folder, shared with the parity test
JUNE = {"periodStart": "2026-06-01", "periodEnd": "2026-06-30"}
SUMMER = {"periodStart": "2026-06-01", "periodEnd": "2026-08-31"}


@pytest.fixture(scope="module")
def served(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    where = tmp_path_factory.mktemp("served_cqims")
    engine = loaded_product(folder, where)
    settings = Settings(database_url=str(engine.url), api_tokens=TOKENS, data_dir=where)
    engine.dispose()
    with TestClient(create_app(settings), headers=bearer(READER_TOKEN)) as client:
        yield client


def _population(report: dict[str, Any], code: str) -> int:
    group = report["group"][0]
    return next(p["count"] for p in group["population"] if p["code"]["coding"][0]["code"] == code)


def test_every_cqim_is_a_valid_measure(served: TestClient) -> None:
    bundle = served.get("/fhir/Measure", params={"_id": "CQIMPreterm,CQIMVBAC"}).json()
    assert [e["resource"]["id"] for e in bundle["entry"]] == ["CQIMPreterm", "CQIMVBAC"]
    for cqim in load_cqims():
        measure = served.get(f"/fhir/Measure/{cqim.id}").json()
        assert check_resource(measure) == [], cqim.id
        assert measure["title"] == cqim.title
    vbac = served.get("/fhir/Measure/CQIMVBAC").json()
    assert vbac["improvementNotation"]["coding"][0]["code"] == "increase"
    assert "improvementNotation" not in served.get("/fhir/Measure/CQIMRobson01").json()


def test_evaluate_measure_gives_each_providers_figure_as_published(
    served: TestClient, folder: Path
) -> None:
    expected = sql_figures(folder)
    bundle = served.get("/fhir/Measure/CQIMPreterm/$evaluate-measure", params=SUMMER).json()
    assert bundle["resourceType"] == "Bundle"
    reports = {
        e["resource"]["reporter"]["identifier"]["value"]: e["resource"] for e in bundle["entry"]
    }
    assert sorted(reports) == ["ZZ1", "ZZ2"]
    for org_code, report in reports.items():
        assert check_resource(report) == [], org_code
        numerator, denominator = expected[("CQIMPreterm", org_code, "2026-06..2026-08")]
        assert _population(report, "numerator") == disclose(numerator)
        assert _population(report, "denominator") == disclose(denominator)
        assert report["period"] == {"start": "2026-06-01", "end": "2026-08-31"}
        assert report["measure"].endswith("/Measure/CQIMPreterm")


def test_a_small_numerator_gets_no_score_and_says_why(served: TestClient, folder: Path) -> None:
    # Smoking at booking at ZZ2 in June: 3 smokers of 35 (hand-counted in the parity test).
    assert sql_figures(folder)[("CQIMSmokingBooking", "ZZ2", "2026-06..2026-06")] == (3, 35)
    report = served.get(
        "/fhir/Measure/CQIMSmokingBooking/$evaluate-measure", params={**JUNE, "reporter": "ZZ2"}
    ).json()
    assert report["resourceType"] == "MeasureReport"
    assert check_resource(report) == []
    assert (_population(report, "numerator"), _population(report, "denominator")) == (5, 35)
    group = report["group"][0]
    assert "measureScore" not in group
    assert group["extension"] == [
        {"url": WITHHELD_REASON, "valueString": "not disclosed: numerator under 8"}
    ]


@pytest.mark.parametrize(
    ("path", "params", "status", "code"),
    [
        ("/fhir/Measure/CQIMNope/$evaluate-measure", JUNE, 404, "not-found"),
        ("/fhir/Measure/CQIMPPH/$evaluate-measure", {"periodStart": "2026-06-01"}, 400, "required"),
        (
            "/fhir/Measure/CQIMPPH/$evaluate-measure",
            {"periodStart": "2026-06-31", "periodEnd": "2026-07-01"},
            400,
            "invalid",
        ),
        (
            "/fhir/Measure/CQIMPPH/$evaluate-measure",
            {"periodStart": "2026-07-01", "periodEnd": "2026-06-01"},
            400,
            "invalid",
        ),
        ("/fhir/Measure/CQIMPPH/$evaluate-measure", {**JUNE, "reporter": "RXX"}, 404, "not-found"),
        ("/fhir/Measure/CQIMPPH/$evaluate-measure", {**JUNE, "subject": "x"}, 400, "not-supported"),
    ],
)
def test_a_bad_evaluation_request_is_an_operation_outcome(
    served: TestClient, path: str, params: dict[str, str], status: int, code: str
) -> None:
    assert_outcome(served.get(path, params=params), status, code)


def test_the_months_are_the_one_month_windows_of_the_measures(folder: Path, tmp_path: Path) -> None:
    engine = loaded_product(folder, tmp_path)
    cqims = load_cqims()
    with make_session_factory(engine)() as session:
        births = read_frames(session, fields={"births": fields_read(cqims)})["births"]
    engine.dispose()
    by_month = {(f.measure, f.org_code, f.period_start): f for f in monthly_figures(births, cqims)}
    for month in ("2026-06", "2026-07", "2026-08"):
        start = pd.Period(month, "M").start_time.date()
        end = pd.Period(month, "M").end_time.date()
        for figure in national_figures(births, cqims, start, end):
            if figure.denominator:
                assert by_month[(figure.measure, figure.org_code, start)] == figure


def _figure(month: int, numerator: int, denominator: int, reason: str = "") -> NationalFigure:
    start = date(2025, month, 1)
    end = (pd.Period(start, "M")).end_time.date()
    rate = numerator / denominator * 1000
    return NationalFigure(
        "CQIMPPH", "ZZ1", start, end, numerator, denominator, rate, not reason, reason
    )


def test_a_providers_months_chart_as_a_p_chart_with_the_rules() -> None:
    pph = next(c for c in load_cqims() if c.id == "CQIMPPH")
    # Ten months of 30 and 40 in 1,000 by turns (no run, no trend), one withheld by its
    # data-quality gate, then one of 80 in 1,000.
    figures = [_figure(m, 30 + 10 * (m % 2), 1000) for m in range(1, 11)]
    figures.append(_figure(11, 5, 1000, reason="data quality: 40% of births record blood loss"))
    figures.append(_figure(12, 80, 1000))
    months = chart_months(pph, list(reversed(figures)))  # any order in, oldest first out
    assert [m["period"] for m in months][:2] == ["2025-01", "2025-02"]
    # p̄ = (5 × 30 + 5 × 40 + 80) / 11,000 (the withheld month takes no part), per 1,000:
    # 39.09, σ = √(p̄(1 − p̄)/1,000) = 6.13 per 1,000, so the upper limit is 57.5.
    centre = 430 / 11_000 * 1000
    sigma = (430 / 11_000 * (1 - 430 / 11_000) / 1000) ** 0.5 * 1000
    assert centre + 3 * sigma == pytest.approx(57.48, abs=0.01)
    assert months[0]["centre"] == pytest.approx(centre)
    assert months[0]["upper_limit"] == pytest.approx(centre + 3 * sigma)
    assert months[11]["rate"] == pytest.approx(80.0)
    assert months[11]["point_type"] == "special_cause_concern"  # above the limit, lower is better
    assert months[0]["point_type"] == "common_cause"
    withheld = months[10]
    assert withheld["rate"] is None
    assert withheld["centre"] is None
    assert withheld["point_type"] is None
    assert withheld["not_shown_because"].startswith("data quality:")
    assert withheld["numerator"] == 5  # 1–7 shown as 5
