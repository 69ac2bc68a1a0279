"""The FHIR API under test: a client with a token that may read and write, on an empty database
of each backend, and the checks its answers share."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.config import Settings

WRITER_TOKEN = "test-writer-token"
READER_TOKEN = "test-reader-token"
TOKENS = {WRITER_TOKEN: "system/*.read system/*.write", READER_TOKEN: "system/*.read"}
FHIR_JSON = "application/fhir+json"


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


@pytest.fixture
def api(empty_database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(database_url=empty_database_url, api_tokens=TOKENS, data_dir=tmp_path)
    with TestClient(create_app(settings), headers=bearer(WRITER_TOKEN)) as client:
        yield client


def assert_outcome(response: object, status: int, code: str) -> dict[str, object]:
    """The response is an OperationOutcome with this status and issue code, and no trace."""
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith(FHIR_JSON)  # type: ignore[attr-defined]
    body: dict[str, object] = response.json()  # type: ignore[attr-defined]
    assert body["resourceType"] == "OperationOutcome"
    issue = body["issue"][0]  # type: ignore[index]
    assert issue["code"] == code
    assert "Traceback" not in issue["diagnostics"]
    return body
