"""Search over `/fhir` on SQLite and PostgreSQL: every declared parameter finds what it should,
prefixes and modifiers mean what FHIR says, pages stay stable while data arrive, includes,
totals, and unknown parameters reported (or refused under strict handling)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from service.search.definitions import search_parameters
from service.search.extract import index_entries
from service.storage.engine import make_engine, make_session_factory
from service.storage.resource_writes import write_resources
from tests.service.api import fhir_examples as ex
from tests.service.conftest import assert_outcome

STORED_AT = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def fhir(api: TestClient, empty_database_url: str) -> TestClient:
    sessions = make_session_factory(make_engine(empty_database_url))
    with sessions.begin() as session:
        write_resources(session, ex.EVERY_TYPE, now=STORED_AT)
    return api


def ids(bundle: dict[str, Any], mode: str = "match") -> list[str]:
    return [e["resource"]["id"] for e in bundle.get("entry", []) if e["search"]["mode"] == mode]


def search(client: TestClient, resource_type: str, **params: Any) -> dict[str, Any]:
    response = client.get(f"/fhir/{resource_type}", params=params)
    assert response.status_code == 200, response.text
    bundle: dict[str, Any] = response.json()
    assert bundle["type"] == "searchset"
    return bundle


def example_value(parameter_type: str, entry: tuple[Any, ...]) -> tuple[str, str]:
    """A search value that must find the resource the index entry came from, and one that
    must not (for dates: just before it)."""
    if parameter_type == "token":
        _, system, code = entry
        return (f"{system}|{code}" if system else code), f"{system}|not-{code}"
    if parameter_type == "reference":
        _, target_type, target_id = entry
        return f"{target_type}/{target_id}", f"{target_type}/not-{target_id}"
    if parameter_type == "date":
        low = entry[1].isoformat().replace("+00:00", "Z")
        return f"ge{low}", f"lt{low}"
    _, _, exact = entry
    return exact[:3], f"zz{exact}"


EVERY_PARAMETER = [
    (resource_type, name)
    for resource_type, parameters in sorted(search_parameters().items())
    for name in parameters
]


@pytest.mark.parametrize(("resource_type", "name"), EVERY_PARAMETER)
def test_every_declared_parameter_finds_its_resource(
    fhir: TestClient, resource_type: str, name: str
) -> None:
    parameter = search_parameters()[resource_type][name]
    if parameter.column == "id":
        example = next(r for r in ex.EVERY_TYPE if r["resourceType"] == resource_type)
        found, missed = example["id"], "no-such-id"
    elif parameter.column == "last_updated":
        example = next(r for r in ex.EVERY_TYPE if r["resourceType"] == resource_type)
        found, missed = "2026-02-01", "lt2026-02-01"
    else:
        kind = {"token": "tokens", "reference": "references", "date": "dates", "string": "strings"}
        candidates = [
            (resource, entry)
            for resource in ex.EVERY_TYPE
            if resource["resourceType"] == resource_type
            for entry in getattr(index_entries(resource), kind[parameter.type])
            if entry[0] == parameter.indexed_as
            and (not parameter.alias_of or entry[1] in parameter.targets)
        ]
        assert candidates, f"no example resource has a value for {resource_type}.{name}"
        example, entry = candidates[0]
        found, missed = example_value(parameter.type, entry)

    assert example["id"] in ids(search(fhir, resource_type, **{name: found}))
    assert example["id"] not in ids(search(fhir, resource_type, **{name: missed}))
    if parameter.column is None:
        assert example["id"] not in ids(search(fhir, resource_type, **{f"{name}:missing": "true"}))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("http://loinc.org|8339-4", ["o1"]),
        ("8339-4", ["o1"]),
        ("http://loinc.org|", ["o1"]),
        ("|8339-4", []),  # the code has a system, so "no system" does not match
        ("http://snomed.info/sct|8339-4", []),
        ("8339-4,169740003", ["o1", "o2"]),
    ],
)
def test_token_forms(fhir: TestClient, value: str, expected: list[str]) -> None:
    assert sorted(ids(search(fhir, "Observation", code=value))) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-05", ["o1"]),
        ("eq2024-03", ["o1", "o2"]),
        ("ne2024-03-05", ["o2"]),
        ("lt2024-03-06", ["o1"]),
        ("le2024-03-06", ["o1", "o2"]),
        ("gt2024-03-05", ["o2"]),
        ("ge2024-03-05T08:30:00Z", ["o1", "o2"]),
        ("gt2024-03-05T08:30:00Z", ["o2"]),
        ("eq2024-03-05T09:30:00+01:00", ["o1"]),  # the same instant in another zone
    ],
)
def test_date_prefixes(fhir: TestClient, value: str, expected: list[str]) -> None:
    assert sorted(ids(search(fhir, "Observation", date=value))) == expected


def test_a_period_matches_every_day_it_covers(fhir: TestClient) -> None:
    assert ids(search(fhir, "Encounter", date="2024-03-05")) == []  # not wholly inside the day
    assert ids(search(fhir, "Encounter", date="ge2024-03-06")) == ["e1"]
    assert ids(search(fhir, "Encounter", date="le2024-03-04")) == ["e1"]
    assert ids(search(fhir, "Encounter", date="gt2024-03-07")) == []


def test_dates_combine_as_and(fhir: TestClient) -> None:
    response = fhir.get("/fhir/Observation?date=ge2024-03-05&date=lt2024-03-06")
    assert ids(response.json()) == ["o1"]


def test_birthdate_and_postcode(fhir: TestClient) -> None:
    assert ids(search(fhir, "Patient", birthdate="1990-04-12")) == ["m1"]
    assert ids(search(fhir, "Patient", birthdate="ge2000")) == ["b1"]
    assert ids(search(fhir, "Patient", **{"address-postalcode": "ls1"})) == ["m1"]
    assert ids(search(fhir, "Patient", **{"address-postalcode:exact": "LS1 4AP"})) == ["m1"]
    assert ids(search(fhir, "Patient", **{"address-postalcode:exact": "ls1 4ap"})) == []
    assert ids(search(fhir, "Patient", family="ozt")) == ["m1"]  # accents and case folded


def test_missing_modifier(fhir: TestClient) -> None:
    assert sorted(ids(search(fhir, "Patient", **{"address-postalcode:missing": "true"}))) == ["b1"]
    assert ids(search(fhir, "Patient", **{"address-postalcode:missing": "false"})) == ["m1"]
    assert ids(search(fhir, "Observation", **{"encounter:missing": "true"})) == ["o2"]


def test_references_by_id_type_and_url(fhir: TestClient) -> None:
    assert sorted(ids(search(fhir, "Observation", patient="b1"))) == ["o1", "o2"]
    assert sorted(ids(search(fhir, "Observation", subject="Patient/b1"))) == ["o1", "o2"]
    assert sorted(ids(search(fhir, "Observation", **{"subject:Patient": "b1"}))) == ["o1", "o2"]
    absolute = "http://testserver/fhir/Patient/b1"
    assert sorted(ids(search(fhir, "Observation", subject=absolute))) == ["o1", "o2"]
    assert ids(search(fhir, "Observation", encounter="e1", status="final")) == ["o1"]
    assert ids(search(fhir, "Condition", category="encounter-diagnosis")) == ["c1"]


def test_summary_count_gives_the_total_only(fhir: TestClient) -> None:
    bundle = search(fhir, "Observation", patient="b1", _summary="count")
    assert bundle["total"] == 2
    assert "entry" not in bundle


def test_include_and_revinclude(fhir: TestClient) -> None:
    bundle = search(fhir, "Observation", code="8339-4", _include="Observation:subject")
    assert ids(bundle) == ["o1"]
    assert ids(bundle, "include") == ["b1"]
    assert bundle["total"] == 1  # included resources do not count

    with_mother = search(fhir, "Patient", _id="b1", _revinclude="RelatedPerson:patient")
    assert ids(with_mother, "include") == ["rp1"]

    targeted = search(fhir, "Observation", _include="Observation:encounter:Encounter")
    assert ids(targeted, "include") == ["e1"]


def test_sort_on_dates(fhir: TestClient) -> None:
    assert ids(search(fhir, "Observation", _sort="date")) == ["o1", "o2"]
    assert ids(search(fhir, "Observation", _sort="-date")) == ["o2", "o1"]
    assert ids(search(fhir, "Patient", _sort="-birthdate")) == ["b1", "m1"]


def follow(client: TestClient, bundle: dict[str, Any], relation: str) -> dict[str, Any] | None:
    url = next((link["url"] for link in bundle["link"] if link["relation"] == relation), None)
    if url is None:
        return None
    parts = urlsplit(url)
    response = client.get(f"{parts.path}?{parts.query}")
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


@pytest.mark.parametrize("sort", [None, "date", "-date"])
def test_paging_is_stable_while_new_data_arrive(
    fhir: TestClient, empty_database_url: str, sort: str | None
) -> None:
    sessions = make_session_factory(make_engine(empty_database_url))
    observations = [
        {
            "resourceType": "Observation",
            "id": f"w{i:02d}",
            "status": "final",
            "code": ex.coded(ex.LOINC, "29463-7"),
            "subject": {"reference": "Patient/m1"},
            "effectiveDateTime": f"2024-04-{i + 1:02d}",
        }
        for i in range(0, 14, 2)
    ]
    with sessions.begin() as session:
        write_resources(session, observations, now=STORED_AT)
    params = {"code": "29463-7", "_count": 3, **({"_sort": sort} if sort else {})}
    first = search(fhir, "Observation", **params)
    assert first["total"] == 7
    seen = ids(first)
    page: dict[str, Any] | None = first
    arrived = False
    while page is not None and (page := follow(fhir, page, "next")) is not None:
        seen += ids(page)
        if not arrived:  # a new resource lands between pages, sorting before and after
            with sessions.begin() as session:
                newcomer = {**observations[0], "id": "w05", "effectiveDateTime": "2024-04-06"}
                write_resources(session, [newcomer], now=STORED_AT)
            arrived = True
    expected = sorted(o["id"] for o in observations)
    assert sorted(set(seen) - {"w05"}) == expected  # nothing skipped
    assert len(seen) == len(set(seen))  # nothing twice

    second = follow(fhir, first, "next")
    assert second is not None
    back = follow(fhir, second, "previous")
    assert back is not None
    assert ids(back) == ids(first)


def test_count_is_capped_and_defaults_to_fifty(fhir: TestClient) -> None:
    bundle = search(fhir, "Observation", _count=5000)
    assert "_count=5000" in bundle["link"][0]["url"]
    assert len(ids(bundle)) == 2


def test_post_search_takes_a_form(fhir: TestClient) -> None:
    response = fhir.post(
        "/fhir/Observation/_search",
        content="patient=b1&code=8339-4",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200
    assert ids(response.json()) == ["o1"]


def test_unknown_parameters_are_reported_or_refused(fhir: TestClient) -> None:
    bundle = search(fhir, "Observation", patient="b1", colour="blue")
    assert sorted(ids(bundle)) == ["o1", "o2"]
    outcome = next(e for e in bundle["entry"] if e["search"]["mode"] == "outcome")
    assert outcome["resource"]["issue"][0]["severity"] == "warning"
    assert "colour" in outcome["resource"]["issue"][0]["diagnostics"]

    strict = fhir.get(
        "/fhir/Observation?patient=b1&colour=blue", headers={"prefer": "handling=strict"}
    )
    body = assert_outcome(strict, 400, "invalid")
    assert body["issue"][0]["expression"] == ["colour"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("date=yesterday", "date"),
        ("date=sa2024-01-01", "date"),
        ("code:fuzzy=x", "code:fuzzy"),
        ("patient:missing=maybe", "patient:missing"),
        ("_count=lots", "_count"),
        ("_sort=status", "_sort"),
        ("_include=Observation:code", "_include"),
        ("_page=garbage", "_page"),
    ],
)
def test_a_bad_search_names_the_parameter(fhir: TestClient, query: str, parameter: str) -> None:
    body = assert_outcome(fhir.get(f"/fhir/Observation?{query}"), 400, "invalid")
    assert body["issue"][0]["expression"] == [parameter]  # type: ignore[index]
