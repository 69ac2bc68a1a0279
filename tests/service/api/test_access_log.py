"""Access logs keep the path and drop the query string, which can carry identifiers."""

from __future__ import annotations

import logging

from service.api.access_log import WithoutQueryStrings, redact_access_log

SEARCH = "/fhir/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|9990000018"


def access_record(path: str) -> logging.LogRecord:
    return logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", path, "1.1", 200),
        None,
    )


def test_the_query_string_is_not_logged() -> None:
    record = access_record(SEARCH)
    assert WithoutQueryStrings().filter(record)
    message = record.getMessage()
    assert "9990000018" not in message
    assert '"GET /fhir/Patient?… HTTP/1.1" 200' in message
    plain = access_record("/fhir/Patient/p1")
    WithoutQueryStrings().filter(plain)
    assert "/fhir/Patient/p1 " in plain.getMessage()


def test_the_filter_is_installed_once() -> None:
    redact_access_log()
    redact_access_log()
    filters = logging.getLogger("uvicorn.access").filters
    assert sum(isinstance(f, WithoutQueryStrings) for f in filters) == 1
