"""Batch and transaction Bundles on SQLite and PostgreSQL: a transaction is all or nothing and
resolves references between its entries; a batch answers each entry on its own."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.config import Settings
from tests.service.api import fhir_examples as ex
from tests.service.conftest import FHIR_JSON, TOKENS, WRITER_TOKEN, assert_outcome, bearer


def post_bundle(client: TestClient, kind: str, entries: list[dict[str, Any]]) -> Any:
    bundle = {"resourceType": "Bundle", "type": kind, "entry": entries}
    return client.post("/fhir", content=orjson.dumps(bundle), headers={"content-type": FHIR_JSON})


def create(resource: dict[str, Any], full_url: str, **request: str) -> dict[str, Any]:
    body = {key: value for key, value in resource.items() if key != "id"}
    return {
        "fullUrl": full_url,
        "resource": body,
        "request": {"method": "POST", "url": resource["resourceType"], **request},
    }


def count(client: TestClient, resource_type: str) -> int:
    response = client.get(f"/fhir/{resource_type}", params={"_summary": "count"})
    return int(response.json()["total"])


def test_a_transaction_resolves_references_between_its_entries(api: TestClient) -> None:
    baby = create(ex.BABY, "urn:uuid:0f6a2c1e-0000-4000-8000-000000000001")
    weight = create(
        {
            **ex.BIRTH_WEIGHT,
            "subject": {"reference": "urn:uuid:0f6a2c1e-0000-4000-8000-000000000001"},
        },
        "urn:uuid:0f6a2c1e-0000-4000-8000-000000000002",
    )
    del weight["resource"]["encounter"]

    response = post_bundle(api, "transaction", [weight, baby])

    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["type"] == "transaction-response"
    statuses = [e["response"]["status"] for e in answer["entry"]]
    assert statuses == ["201 Created", "201 Created"]
    weight_location = answer["entry"][0]["response"]["location"]
    baby_location = answer["entry"][1]["response"]["location"]
    stored = api.get("/fhir/" + weight_location.split("/_history")[0]).json()
    assert stored["subject"]["reference"] == baby_location.split("/_history")[0]


def test_a_transaction_with_one_invalid_entry_changes_nothing(api: TestClient) -> None:
    good = create(ex.BABY, "urn:uuid:0f6a2c1e-0000-4000-8000-000000000003")
    bad = create({**ex.FEEDING, "effectiveDateTime": "last tuesday"}, "urn:uuid:x")
    put = {"resource": ex.MOTHER, "request": {"method": "PUT", "url": "Patient/m1"}}

    response = post_bundle(api, "transaction", [good, put, bad])

    body = assert_outcome(response, 400, "structure")
    assert "Bundle.entry[2]" in body["issue"][0]["diagnostics"]  # type: ignore[index]
    assert count(api, "Patient") == 0
    assert count(api, "Observation") == 0


def test_a_failure_found_while_writing_rolls_everything_back(api: TestClient) -> None:
    put = {"resource": ex.MOTHER, "request": {"method": "PUT", "url": "Patient/m1"}}
    stale = {
        "resource": ex.BABY,
        "request": {"method": "PUT", "url": "Patient/b1", "ifMatch": 'W/"7"'},
    }
    response = post_bundle(api, "transaction", [put, stale])

    assert_outcome(response, 412, "conflict")
    assert count(api, "Patient") == 0


def test_conditional_entries_and_references(api: TestClient) -> None:
    post_bundle(
        api,
        "transaction",
        [{"resource": ex.MOTHER, "request": {"method": "PUT", "url": "Patient/m1"}}],
    )
    nhs = "identifier=https://fhir.nhs.uk/Id/nhs-number|9990000018"
    again = create(ex.MOTHER, "urn:uuid:0f6a2c1e-0000-4000-8000-000000000004", ifNoneExist=nhs)
    referral = create({**ex.REFERRAL, "subject": {"reference": f"Patient?{nhs}"}}, "urn:uuid:r")
    del referral["resource"]["encounter"]

    answer = post_bundle(api, "transaction", [again, referral]).json()

    assert answer["entry"][0]["response"]["status"] == "200 OK"
    assert count(api, "Patient") == 1
    stored = api.get("/fhir/ServiceRequest", params={"patient": "m1"}).json()
    assert stored["total"] == 1

    nobody = create(
        {**ex.REFERRAL, "subject": {"reference": "Patient?identifier=x|y"}}, "urn:uuid:s"
    )
    assert_outcome(post_bundle(api, "transaction", [nobody]), 412, "not-found")


def test_a_batch_answers_each_entry_on_its_own(api: TestClient) -> None:
    entries = [
        {"resource": ex.MOTHER, "request": {"method": "PUT", "url": "Patient/m1"}},
        {
            "resource": {**ex.BABY, "birthDate": "soon"},
            "request": {"method": "PUT", "url": "Patient/b1"},
        },
        {"request": {"method": "GET", "url": "Patient/m1"}},
        {"request": {"method": "GET", "url": "Patient?gender=female"}},
        {"request": {"method": "GET", "url": "Patient/nobody"}},
    ]
    answer = post_bundle(api, "batch", entries).json()

    assert answer["type"] == "batch-response"
    statuses = [e["response"]["status"] for e in answer["entry"]]
    assert statuses[0] == "201 Created"
    assert statuses[1] == "400"
    assert answer["entry"][1]["response"]["outcome"]["issue"][0]["code"] == "structure"
    assert statuses[2:] == ["200 OK", "200 OK", "404"]
    assert answer["entry"][3]["resource"]["total"] == 1
    assert count(api, "Patient") == 1


def test_a_bundle_over_the_limit_is_413(empty_database_url: str) -> None:
    settings = Settings(database_url=empty_database_url, api_tokens=TOKENS, bundle_max_entries=2)
    with TestClient(create_app(settings), headers=bearer(WRITER_TOKEN)) as client:
        entries = [{"request": {"method": "GET", "url": "Patient/x"}}] * 3
        assert_outcome(post_bundle(client, "batch", entries), 413, "too-costly")


def test_not_a_batch_or_transaction(api: TestClient) -> None:
    assert_outcome(post_bundle(api, "collection", []), 400, "invalid")
    response = api.post("/fhir", content=b"{", headers={"content-type": FHIR_JSON})
    assert_outcome(response, 400, "structure")


def test_a_transaction_with_an_entry_outside_a_required_binding_commits_nothing(
    api: TestClient,
) -> None:
    good = create(ex.MOTHER, "urn:uuid:0f6a2c1e-0000-4000-8000-000000000004")
    bad = create({**ex.BABY, "gender": "M"}, "urn:uuid:0f6a2c1e-0000-4000-8000-000000000005")

    response = post_bundle(api, "transaction", [good, bad])

    body = assert_outcome(response, 400, "code-invalid")
    assert "Bundle.entry[1]" in body["issue"][0]["diagnostics"]  # type: ignore[index]
    assert count(api, "Patient") == 0


def test_a_body_over_the_limit_is_413_and_stores_nothing(empty_database_url: str) -> None:
    settings = Settings(database_url=empty_database_url, api_tokens=TOKENS, request_max_bytes=4096)
    with TestClient(create_app(settings), headers=bearer(WRITER_TOKEN)) as client:
        padded = {**ex.BABY, "id": None, "text": {"status": "generated", "div": "x" * 5000}}
        response = client.post(
            "/fhir/Patient", content=orjson.dumps(padded), headers={"content-type": FHIR_JSON}
        )
        body = assert_outcome(response, 413, "too-costly")
        assert "4,096 bytes" in body["issue"][0]["diagnostics"]  # type: ignore[index]
        entries = [
            create(ex.MOTHER, f"urn:uuid:0f6a2c1e-0000-4000-8000-{i:012d}") for i in range(40)
        ]
        assert_outcome(post_bundle(client, "transaction", entries), 413, "too-costly")
        assert count(client, "Patient") == 0
