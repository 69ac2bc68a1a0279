"""`POST /ingest/{source}`: an extract sent over HTTP is loaded exactly as the CLI loads it."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from tests.service.conftest import READER_TOKEN, assert_outcome, bearer

GOLDEN = Path(__file__).parents[2] / "fhir_mappings" / "fhir" / "golden"
EXTRACT = GOLDEN / "maternity_births_v1.csv"


def upload(client: TestClient, source: str, content: bytes, **headers: str):  # type: ignore[no-untyped-def]
    files = {"file": ("births.csv", content, "text/csv")}
    return client.post(f"/ingest/{source}", files=files, headers=headers)


def test_an_uploaded_extract_is_ingested_and_reported(api: TestClient, tmp_path: Path) -> None:
    response = upload(api, "maternity", EXTRACT.read_bytes())

    assert response.status_code == 200, response.text
    report = response.json()
    data_rows = len(EXTRACT.read_text().splitlines()) - 1
    assert report["rows_read"] == data_rows
    assert report["rows"]["loaded"] == data_rows
    assert report["projection"]["births"] > 0
    assert api.get("/fhir/Patient", params={"_summary": "count"}).json()["total"] > 0
    kept = list((tmp_path / "uploads").glob("*/births.csv"))
    assert [path.read_bytes() for path in kept] == [EXTRACT.read_bytes()]

    again = upload(api, "maternity", EXTRACT.read_bytes()).json()
    assert again["rows"]["unchanged"] == data_rows


def test_upload_refusals(api: TestClient) -> None:
    assert_outcome(upload(api, "maternity", b"x", authorization=""), 401, "login")
    assert_outcome(upload(api, "maternity", b"x", **bearer(READER_TOKEN)), 403, "forbidden")
    assert_outcome(upload(api, "dentistry", b"x"), 404, "not-supported")
    refused = upload(api, "maternity", b"not,the,right,header\n1,2,3,4\n")
    body = assert_outcome(refused, 400, "invalid")
    assert "births.csv" in body["issue"][0]["diagnostics"]  # type: ignore[index]
    assert_outcome(api.post("/ingest/maternity"), 400, "invalid")
