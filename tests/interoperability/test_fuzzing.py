"""The schemathesis OpenAPI fuzzer against the real server on PostgreSQL, for a bounded number
of examples per operation: whatever it sends, the server never answers with a 5xx.

The operations are driven with Hypothesis directly (schemathesis's pytest plugin does not load
with this pytest); the examples are derandomised, so a run is repeatable."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.interoperability.conftest import RunningServer

pytestmark = pytest.mark.postgres
EXAMPLES_PER_OPERATION = 25


def test_no_input_makes_the_server_fail(server: RunningServer) -> None:
    schema = schemathesis.openapi.from_url(f"{server.root}/openapi.json")
    failures: list[str] = []
    operations = 0
    statuses: list[int] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case: schemathesis.Case) -> None:
            response = case.call(headers=server.headers)
            statuses.append(response.status_code)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code}")

        call()
    assert operations >= 20
    assert len(statuses) >= operations  # every operation was called
    assert failures == []
