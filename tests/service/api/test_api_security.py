"""Bearer tokens and SMART scopes: 401 without a known token, 403 beyond the token's scopes;
`/healthz` and `/fhir/metadata` open to all."""

from __future__ import annotations

import orjson
import pytest
from fastapi.testclient import TestClient

from service.api.security import ApiClient
from service.config import load_settings
from service.errors import ConfigurationError
from tests.service.api import fhir_examples as ex
from tests.service.conftest import FHIR_JSON, READER_TOKEN, assert_outcome, bearer


def test_no_token_or_an_unknown_one_is_401(api: TestClient) -> None:
    for headers in ({"authorization": ""}, bearer("not-a-token"), {"authorization": "Basic x"}):
        response = api.get("/fhir/Patient", headers=headers)
        assert_outcome(response, 401, "login")
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert "not-a-token" not in response.text


def test_a_read_only_token_cannot_write(api: TestClient) -> None:
    reader = bearer(READER_TOKEN)
    body = orjson.dumps(ex.BABY)
    headers = {**reader, "content-type": FHIR_JSON}

    assert api.get("/fhir/Patient", headers=reader).status_code == 200
    assert_outcome(api.put("/fhir/Patient/b1", content=body, headers=headers), 403, "forbidden")
    assert_outcome(api.post("/fhir/Patient", content=body, headers=headers), 403, "forbidden")
    assert_outcome(api.delete("/fhir/Patient/b1", headers=reader), 403, "forbidden")
    assert api.get("/fhir/Patient/b1").status_code == 404  # nothing was written


def test_health_and_metadata_are_open(api: TestClient) -> None:
    no_token = {"authorization": ""}
    assert api.get("/healthz", headers=no_token).status_code == 200
    assert api.get("/fhir/metadata", headers=no_token).status_code == 200


@pytest.mark.parametrize(
    ("scopes", "access", "resource_type", "allowed"),
    [
        ("system/*.read", "read", "Observation", True),
        ("system/*.read", "write", "Observation", False),
        ("system/Patient.read", "read", "Patient", True),
        ("system/Patient.read", "read", "Observation", False),
        ("system/Patient.read", "read", "*", False),
        ("system/*.*", "write", "*", True),
        ("system/Observation.cud", "write", "Observation", True),
        ("system/Observation.rs", "write", "Observation", False),
        ("system/*.rs", "read", "Patient", True),
    ],
)
def test_scopes(scopes: str, access: str, resource_type: str, allowed: bool) -> None:
    client = ApiClient("x", frozenset(scopes.split()))
    assert client.may(access, resource_type) is allowed  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("tokens", "complaint"),
    [
        ('{"short": "system/*.read"}', "at least 8 characters"),
        ('{"long-enough-token": "user/*.read"}', "not a SMART system scope"),
        ("not json", "PERINATAL_API_TOKENS"),
    ],
)
def test_bad_token_settings_are_one_line(
    monkeypatch: pytest.MonkeyPatch, tokens: str, complaint: str
) -> None:
    monkeypatch.setenv("PERINATAL_API_TOKENS", tokens)
    with pytest.raises(ConfigurationError, match=complaint) as raised:
        load_settings()
    assert "\n" not in str(raised.value)
    assert "long-enough-token" not in str(raised.value)
