"""What leaves the service: the indicator results through /api/indicators and as FHIR
`Measure` / `MeasureReport`, valid FHIR R4, searchable, and disclosure-controlled (counts of
1–7 shown as 5, the rest rounded to 5, no rate on a suppressed numerator)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from fhir.resources.R4B import get_fhir_model_class

from service.indicators.catalogue import load_catalogue
from service.indicators.published import assurance_of, shown_completeness
from service.national.cqim import load_cqims
from tests.service.conftest import READER_TOKEN, assert_outcome, bearer
from tests.service.indicators.conftest import seed_counts

# Mixed: 3 smokers of 500 a month (suppressed); Asian: 12 of 500 (rounded to 10).
STRATA = {"White": [40] * 18, "Asian": [12] * 18, "Mixed": [3] * 18}


@pytest.fixture
def seeded(api: TestClient, empty_database_url: str) -> TestClient:
    seed_counts(empty_database_url, STRATA)
    return api


def _valid(resource: dict[str, Any]) -> None:
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)


def _counts(value: Any) -> list[int]:
    """Every population count anywhere in a MeasureReport."""
    found: list[int] = []
    if isinstance(value, dict):
        if "count" in value:
            found.append(value["count"])
        for item in value.values():
            found += _counts(item)
    elif isinstance(value, list):
        for item in value:
            found += _counts(item)
    return found


def test_every_indicator_is_a_valid_measure(seeded: TestClient) -> None:
    bundle = seeded.get("/fhir/Measure", headers=bearer(READER_TOKEN)).json()
    assert bundle["total"] == len(load_catalogue().indicators) + len(load_cqims())
    for entry in bundle["entry"]:
        _valid(entry["resource"])
    oasi = seeded.get("/fhir/Measure/oasi", headers=bearer(READER_TOKEN)).json()
    assert oasi["url"] == "https://fhir.perinatal-equity.example/Measure/oasi"
    assert oasi["improvementNotation"]["coding"][0]["code"] == "decrease"
    by_url = seeded.get(
        "/fhir/Measure", params={"url": oasi["url"]}, headers=bearer(READER_TOKEN)
    ).json()
    assert [e["resource"]["id"] for e in by_url["entry"]] == ["oasi"]
    assert_outcome(seeded.get("/fhir/Measure/nope", headers=bearer(READER_TOKEN)), 404, "not-found")


def test_measure_reports_by_measure_and_period_with_stratifiers(seeded: TestClient) -> None:
    found = seeded.get(
        "/fhir/MeasureReport",
        params={"measure": "Measure/smoking-at-delivery", "period": "ge2024-01", "_count": "2"},
        headers=bearer(READER_TOKEN),
    ).json()
    assert found["total"] == 6  # January to June 2024
    assert [e["resource"]["id"] for e in found["entry"]] == [
        "smoking-at-delivery-2024-01",
        "smoking-at-delivery-2024-02",
    ]
    assert any(link["relation"] == "next" for link in found["link"])
    report = seeded.get(
        "/fhir/MeasureReport/smoking-at-delivery-2024-06", headers=bearer(READER_TOKEN)
    ).json()
    _valid(report)
    assert report["period"] == {"start": "2024-06-01", "end": "2024-06-30"}
    group = report["group"][0]
    assert group["measureScore"]["value"] == pytest.approx(3.5)  # 35 of 1,000 (37 → 35)
    stratum = {s["value"]["text"]: s for s in group["stratifier"][0]["stratum"]}
    assert set(stratum) == {"White", "Asian", "Mixed"}
    assert "measureScore" not in stratum["Mixed"]  # 3 smokers: the rate is not shown
    assert stratum["Asian"]["measureScore"]["value"] == pytest.approx(10 / 500 * 100)
    assert all(count % 5 == 0 for count in _counts(report))
    assert 3 not in _counts(report)
    none = seeded.get(
        "/fhir/MeasureReport", params={"period": "2030"}, headers=bearer(READER_TOKEN)
    ).json()
    assert none["total"] == 0
    bad = seeded.get("/fhir/MeasureReport", params={"period": "June"}, headers=bearer(READER_TOKEN))
    assert_outcome(bad, 400, "invalid")


def test_the_results_api_is_disclosure_controlled(seeded: TestClient) -> None:
    view = seeded.get(
        "/api/indicators/smoking_at_delivery",
        params={"stratification": "ethnic_group"},
        headers=bearer(READER_TOKEN),
    ).json()
    strata = {s["stratum"]: s for s in view["strata"]}
    for month in strata["Mixed"]["months"]:
        assert month["numerator"] == 5
        assert month["rate"] is None
        assert month["not_shown_because"] == "numerator under 8"
    assert strata["Mixed"]["window"]["numerator"] == 35  # 36 rounded to the nearest 5
    assert strata["Asian"]["months"][0]["numerator"] == 10
    assert strata["Asian"]["window"]["traffic_light"] == "green"  # fewer smokers than White
    assert strata["White"]["window"]["reference"] is True
    listing = seeded.get("/api/indicators", headers=bearer(READER_TOKEN)).json()
    smoking = next(line for line in listing if line["id"] == "smoking_at_delivery")
    assert smoking["variation"] == "special_cause_improvement"
    assert smoking["window"]["numerator"] % 5 == 0


def test_reading_results_needs_a_token(api: TestClient) -> None:
    for path in ("/api/indicators", "/fhir/Measure", "/fhir/MeasureReport"):
        assert_outcome(api.get(path, headers={"authorization": ""}), 401, "login")


def test_funnel_limits_for_a_chosen_period(seeded: TestClient) -> None:
    funnel = seeded.get(
        "/api/indicators/smoking_at_delivery/funnel",
        params={"stratification": "ethnic_group", "from": "2023-01", "to": "2023-12"},
        headers=bearer(READER_TOKEN),
    ).json()
    groups = {g["stratum"]: g for g in funnel["groups"]}
    # Twelve months: White 480/6,000, Asian 144/6,000, Mixed 36/6,000 → target 660/18,000.
    assert funnel["target"] == pytest.approx(660 / 18000 * 100)
    assert (groups["White"]["numerator"], groups["Asian"]["numerator"]) == (480, 145)
    assert groups["Mixed"]["numerator"] == 35
    assert funnel["overdispersion"]["tau2"] > 0
    for group in groups.values():
        assert group["lcl998"] <= group["lcl95"] <= funnel["target"] <= group["ucl95"]
    bad = seeded.get(
        "/api/indicators/smoking_at_delivery/funnel",
        params={"stratification": "ethnic_group", "from": "2023", "to": "2023-12"},
        headers=bearer(READER_TOKEN),
    )
    assert "from" in str(assert_outcome(bad, 400, "invalid"))
    backwards = seeded.get(
        "/api/indicators/smoking_at_delivery/funnel",
        params={"stratification": "ethnic_group", "from": "2024-01", "to": "2023-12"},
        headers=bearer(READER_TOKEN),
    )
    assert_outcome(backwards, 400, "invalid")


def test_completeness_of_a_small_population_is_not_shown() -> None:
    # 3 of 4 records complete would say the population is 4 (or 8, 12 …).
    assert shown_completeness(0.75, 4) is None
    assert shown_completeness(10 / 12, 12) == 0.83


@pytest.mark.parametrize(
    ("indicator", "lower", "upper", "expected"),
    [
        # Preterm birth (lower is better), target 60 per 1,000.
        ("preterm_birth", 61.0, 102.0, "consistent_fail"),  # even the lower limit misses it
        ("preterm_birth", 40.0, 59.0, "consistent_pass"),  # even the upper limit meets it
        ("preterm_birth", 55.0, 80.0, "inconsistent"),
        # Smoking at delivery, target 6%: between the limits, hit and miss.
        ("smoking_at_delivery", 3.8, 7.9, "inconsistent"),
        # No target, no assurance.
        ("oasi", 10.0, 20.0, None),
    ],
)
def test_assurance_compares_the_target_with_the_latest_limits(
    indicator: str, lower: float, upper: float, expected: str | None
) -> None:
    # Earlier months' limits (before a rebase) do not count; a month without limits is skipped.
    points = {"lower_limit": [0.0, lower, None], "upper_limit": [500.0, upper, None]}
    assert assurance_of(points, load_catalogue().indicator(indicator)) == expected


def test_a_chart_without_limits_has_no_assurance() -> None:
    points = {"lower_limit": [None], "upper_limit": [None]}
    assert assurance_of(points, load_catalogue().indicator("preterm_birth")) is None
