"""From an extract file to one outcome per row: mapped and validated, then either accepted (and
built into FHIR resources, with the Provenance that records where they came from, when the caller
asks) or refused with its findings.

Pure but for reading the file: the clock's reading and the naming are passed in. Rows are
yielded one at a time, so memory does not grow with the file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from fhir_mappings.extract_file import SourceRow, read_header, read_rows
from fhir_mappings.fhir import BUILDERS
from fhir_mappings.fhir.naming import Naming
from fhir_mappings.fhir.shapes import Resource, RowContext, provenance
from fhir_mappings.findings import Finding
from fhir_mappings.mapping.engine import RowMapper
from fhir_mappings.mapping.model import Mapping

RowStatus = Literal["accepted", "quarantined", "duplicate"]


@dataclass(frozen=True)
class RowOutcome:
    row: int
    key: str | None
    raw: dict[str, str]  # the row exactly as received, by column name
    row_sha256: str
    status: RowStatus
    findings: list[Finding] = field(default_factory=list)
    record: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ExtractPlan:
    """A file checked as a whole and ready to stream: its header resolved against the mapping."""

    path: Path
    mapping: Mapping
    mapper: RowMapper
    header: list[str]
    file_sha256: str


def plan_extract(path: Path, mapping: Mapping, *, file_sha256: str, today: date) -> ExtractPlan:
    """Read the header and resolve it; raises if the file is unusable as a whole."""
    header = read_header(path)
    return ExtractPlan(path, mapping, RowMapper(mapping, header, today=today), header, file_sha256)


def row_outcomes(plan: ExtractPlan) -> Iterator[RowOutcome]:
    first_seen: dict[str, int] = {}
    for source_row in read_rows(plan.path):
        raw = _raw(plan.header, source_row)
        digest = _row_sha256(source_row)
        if digest in first_seen:
            yield RowOutcome(
                source_row.number,
                None,
                raw,
                digest,
                "duplicate",
                [
                    Finding(
                        source_row.number,
                        "",
                        "duplicate_row",
                        "warning",
                        f"the same as row {first_seen[digest]}; loaded once",
                    )
                ],
            )
            continue
        first_seen[digest] = source_row.number
        mapped = plan.mapper.map(source_row)
        key = mapped.record.get(plan.mapping.key)
        if mapped.has_errors or key is None:
            yield RowOutcome(
                source_row.number,
                None if key is None else str(key),
                raw,
                digest,
                "quarantined",
                mapped.findings,
            )
            continue
        yield RowOutcome(
            source_row.number, str(key), raw, digest, "accepted", mapped.findings, mapped.record
        )


def build_resources(
    plan: ExtractPlan, outcome: RowOutcome, *, naming: Naming, recorded: datetime
) -> list[Resource]:
    """The FHIR resources of an accepted row, and the Provenance that points at its line. A row
    with nothing to record (a contact that names neither child nor mother) gets no Provenance:
    R4 requires a Provenance to have a target; the ingest run still counts and reports the row."""
    context = RowContext(plan.mapping.source_system, str(outcome.key), plan.path.name, naming)
    resources = BUILDERS[plan.mapping.source_system](outcome.record, context)
    if not resources:
        return []
    resources.append(
        provenance(
            context, resources, file_sha256=plan.file_sha256, row=outcome.row, recorded=recorded
        )
    )
    return resources


def _raw(header: list[str], source_row: SourceRow) -> dict[str, str]:
    raw = dict(zip(header, source_row.values, strict=False))
    extra = source_row.values[len(header) :]
    if extra:  # a row wider than the header: keep what would otherwise be lost
        raw["_extra_values"] = ",".join(extra)
    return raw


def _row_sha256(source_row: SourceRow) -> str:
    return hashlib.sha256("\x1f".join(source_row.values).encode()).hexdigest()
