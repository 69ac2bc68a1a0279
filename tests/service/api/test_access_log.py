"""Access logs keep the path and drop the query string, which can carry identifiers."""

from __future__ import annotations

import logging
import logging.config

from service.api.access_log import WithoutQueryStrings, logging_config

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


def test_uvicorns_access_handler_gets_the_filter_in_every_process() -> None:
    logging.config.dictConfig(logging_config())
    handlers = logging.getLogger("uvicorn.access").handlers
    assert any(isinstance(f, WithoutQueryStrings) for h in handlers for f in h.filters)
