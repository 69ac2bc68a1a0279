"""Golden tests: a handful of source rows → exactly the expected FHIR JSON, and every resource
parses with `fhir.resources.R4B` and round-trips (validate → dump → validate).

After a deliberate change to a builder, regenerate the expected files with
`UPDATE_GOLDEN=1 pytest tests/fhir_mappings/fhir/test_golden.py` and review the diff.
"""

from __future__ import annotations

import importlib
import json
import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from fhir_mappings.extract_file import read_header, read_rows
from fhir_mappings.fhir import BUILDERS
from fhir_mappings.fhir.naming import Naming
from fhir_mappings.fhir.shapes import RowContext
from fhir_mappings.mapping.engine import RowMapper
from fhir_mappings.mapping.model import default_mapping

GOLDEN = Path(__file__).with_name("golden")
CASES = {
    "maternity": "maternity_births_v1",
    "neonatal": "neonatal_episodes_v1",
    "health_visiting": "health_visiting_contacts_v1",
}


def build_file(source: str, name: str) -> list[dict[str, Any]]:
    mapping = default_mapping(source)
    path = GOLDEN / f"{name}.csv"
    mapper = RowMapper(mapping, read_header(path), today=date(2026, 1, 1))
    rows = []
    for source_row in read_rows(path):
        mapped = mapper.map(source_row)
        assert mapped.findings == [], mapped.findings
        context = RowContext(source, str(mapped.record[mapping.key]), path.name, Naming())
        rows.append(
            {"row": source_row.number, "resources": BUILDERS[source](mapped.record, context)}
        )
    return rows


@pytest.mark.parametrize(("source", "name"), CASES.items())
def test_rows_become_exactly_the_expected_resources(source: str, name: str) -> None:
    built = json.loads(json.dumps(build_file(source, name)))
    expected_path = GOLDEN / f"{name}.expected.json"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        expected_path.write_text(json.dumps(built, indent=2, ensure_ascii=False) + "\n")
    assert built == json.loads(expected_path.read_text())


def r4b_model(resource_type: str) -> Any:
    module = importlib.import_module(f"fhir.resources.R4B.{resource_type.lower()}")
    return getattr(module, resource_type)


@pytest.mark.parametrize(("source", "name"), CASES.items())
def test_every_resource_parses_and_round_trips_with_r4b(source: str, name: str) -> None:
    for row in build_file(source, name):
        for resource in row["resources"]:
            model = r4b_model(resource["resourceType"])
            parsed = model.model_validate(resource)
            again = model.model_validate(parsed.model_dump(mode="json", exclude_none=True))
            assert again == parsed
