"""The CQIMs leave the service as FHIR: each a `Measure`, each figure a `MeasureReport` from
`Measure/<id>/$evaluate-measure` and from `perinatal national measures --format fhir`, valid
R4, and disclosure-controlled. The counts are checked against the independent SQL of
`test_cqim_parity.py` over the same edge-case folder, as they may be published."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from alerts.inequality import disclose
from fhir_mappings.fhir.conformance import check_resource
from service.api.app import create_app
from service.config import Settings
from service.national.cqim import load_cqims
from service.national.fhir_reports import WITHHELD_REASON
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
