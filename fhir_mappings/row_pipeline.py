"""From an extract file to one outcome per row: mapped and validated, then either accepted (and
built into FHIR resources, with the Provenance that records where they came from, when the caller
asks) or refused with its findings.

Pure but for reading the file: the clock's reading and the naming are passed in. Rows are
yielded one at a time, so memory does not grow with the file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from fhir_mappings.extract_file import RowOrigin, SourceRow, read_header, read_rows
from fhir_mappings.fhir import BUILDERS
from fhir_mappings.fhir.naming import Naming
from fhir_mappings.fhir.shapes import Resource, RowContext, provenance
from fhir_mappings.findings import Finding
from fhir_mappings.mapping.engine import RowMapper
from fhir_mappings.mapping.model import Mapping
from fhir_mappings.national.assemble import Assembly, Refused, assemble, wanted_columns
from fhir_mappings.national.tables import TableData

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
    origin: tuple[RowOrigin, ...] = ()  # the table rows an assembled record was made of


@dataclass(frozen=True)
class ExtractPlan:
    """A source checked as a whole and ready to stream: its header resolved against the
    mapping. `path` is the file, or the folder (or database) of a national source's tables."""

    path: Path
    mapping: Mapping
    mapper: RowMapper
    header: list[str]
    file_sha256: str
    source_rows: Callable[[], Iterator[SourceRow]] | None = None  # None: the file's rows
    refused: Sequence[Refused] = ()  # rows refused before mapping (orphans)
    notes: tuple[str, ...] = ()
    builder: str | None = None  # the FHIR builder, when not the source system's own
    # Keeps this kind of record's keys apart from the source's others (a pregnancy and a baby
    # may share an id) in the fingerprints and the quarantine.
    key_prefix: str = ""
    then: ExtractPlan | None = None  # a second kind of record from the same tables

    @property
    def parts(self) -> list[ExtractPlan]:
        """This plan and the ones it is followed by, in the order they load."""
        return [self] + (self.then.parts if self.then else [])


def plan_extract(path: Path, mapping: Mapping, *, file_sha256: str, today: date) -> ExtractPlan:
    """Read the header and resolve it; raises if the file is unusable as a whole."""
    header = read_header(path)
    return ExtractPlan(path, mapping, RowMapper(mapping, header, today=today), header, file_sha256)


def plan_national(
    where: Path, mapping: Mapping, tables: dict[str, TableData], *, today: date
) -> ExtractPlan:
    """Assemble a national source's tables into records and resolve them against the mapping;
    raises if the tables are unusable as a whole (a required table or column missing)."""
    assert mapping.national is not None
    wanted = wanted_columns((c, m.aliases) for c, m in mapping.columns.items())
    bookings = bookings_mapping(mapping)
    other_wanted = (
        wanted_columns((c, m.aliases) for c, m in bookings.columns.items()) if bookings else []
    )
    assembly: Assembly = assemble(mapping.national, tables, wanted, other_wanted)
    mapper = RowMapper(mapping, assembly.header, today=today)
    digest = hashlib.sha256("".join(sorted(t.sha256 for t in tables.values())).encode())
    then = None
    if bookings is not None and mapping.national.bookings_without_birth is not None:
        then = ExtractPlan(
            where,
            bookings,
            RowMapper(bookings, assembly.other_header, today=today),
            assembly.other_header,
            digest.hexdigest(),
            source_rows=lambda: iter(assembly.other_records),
            builder=mapping.national.bookings_without_birth.builder,
            key_prefix="booking:",
        )
    return ExtractPlan(
        where,
        mapping,
        mapper,
        assembly.header,
        digest.hexdigest(),
        source_rows=lambda: iter(assembly.records),
        refused=assembly.refused,
        notes=tuple(assembly.notes),
        then=then,
    )


def bookings_mapping(mapping: Mapping) -> Mapping | None:
    """The mapping a national source's bookings without a birth are read through: its columns
    whose target is of the groups the bookings read, identified by their own key."""
    other = mapping.national.bookings_without_birth if mapping.national else None
    if other is None:
        return None
    columns = {
        name: column
        for name, column in mapping.columns.items()
        if column.target.partition(".")[0] in other.reads
    }
    return mapping.model_copy(update={"columns": columns, "key": other.key, "checks": ()})


def row_outcomes(plan: ExtractPlan) -> Iterator[RowOutcome]:
    for refused in plan.refused:
        yield RowOutcome(
            refused.number, None, refused.raw, refused.digest, "quarantined", refused.findings
        )
    first_seen: dict[str, int] = {}
    rows = plan.source_rows() if plan.source_rows else read_rows(plan.path)
    for source_row in rows:
        raw = source_row.raw if source_row.raw is not None else _raw(plan.header, source_row)
        digest = source_row.digest or _row_sha256(source_row)
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
        findings = mapped.findings + list(source_row.findings)
        if source_row.origin:
            findings = _located(findings, source_row.origin)
        key = mapped.record.get(plan.mapping.key)
        if key is not None:
            key = f"{plan.key_prefix}{key}"
        if key is None or any(f.severity == "error" for f in findings):
            yield RowOutcome(
                source_row.number,
                None if key is None else str(key),
                raw,
                digest,
                "quarantined",
                findings,
            )
            continue
        yield RowOutcome(
            source_row.number,
            str(key),
            raw,
            digest,
            "accepted",
            findings,
            mapped.record,
            source_row.origin,
        )


def build_resources(
    plan: ExtractPlan, outcome: RowOutcome, *, naming: Naming, recorded: datetime
) -> list[Resource]:
    """The FHIR resources of an accepted row, and the Provenance that points at its line. A row
    with nothing to record (a contact that names neither child nor mother) gets no Provenance:
    R4 requires a Provenance to have a target; the ingest run still counts and reports the row."""
    context = RowContext(plan.mapping.source_system, str(outcome.key), plan.path.name, naming)
    resources = BUILDERS[plan.builder or plan.mapping.source_system](outcome.record, context)
    if not resources:
        return []
    sources = outcome.origin or (RowOrigin("", plan.path.name, plan.file_sha256, outcome.row),)
    resources.append(provenance(context, resources, sources=sources, recorded=recorded))
    return resources


def _located(findings: list[Finding], origin: tuple[RowOrigin, ...]) -> list[Finding]:
    """Say in each finding about a joined table's column which file and row it is in."""
    where = {o.table: o.where for o in origin}
    located = []
    for finding in findings:
        place = where.get(finding.column.partition(".")[0])
        if place and not finding.message.startswith(place):
            finding = replace(finding, message=f"{place}: {finding.message}")
        located.append(finding)
    return located


def _raw(header: list[str], source_row: SourceRow) -> dict[str, str]:
    raw = dict(zip(header, source_row.values, strict=False))
    extra = source_row.values[len(header) :]
    if extra:  # a row wider than the header: keep what would otherwise be lost
        raw["_extra_values"] = ",".join(extra)
    return raw


def _row_sha256(source_row: SourceRow) -> str:
    return hashlib.sha256("\x1f".join(source_row.values).encode()).hexdigest()
