"""The mapping engine: a mapping and a file's header in, a function from source rows to canonical
records and findings out. Pure: the file, the clock and the storage are the caller's."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from fhir_mappings.extract_file import SourceRow
from fhir_mappings.findings import Finding
from fhir_mappings.mapping.checks import CHECKS, Check
from fhir_mappings.mapping.model import Mapping
from fhir_mappings.mapping.parsers import Invalid, ParseValue, build_parser


class HeaderMismatchError(Exception):
    """The file lacks a column the mapping requires; the whole file is refused."""


@dataclass(frozen=True)
class MappedRow:
    row: int
    record: dict[str, Any]
    findings: list[Finding] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(f.severity == "error" for f in self.findings)


@dataclass(frozen=True)
class _Column:
    name: str  # as the mapping names it
    index: int
    target: str
    parse: ParseValue
    required: bool
    is_date: bool


class RowMapper:
    """Maps rows of one file. `notes` says what the header resolution did (aliases used,
    optional columns missing), for the ingest report."""

    def __init__(self, mapping: Mapping, header: list[str], *, today: date) -> None:
        self.mapping = mapping
        self.today = today
        self.notes: list[str] = []
        self.columns = self._resolve(header)
        self.width = len(header)
        self.checks: list[Check] = [CHECKS[mapping.source_system][c] for c in mapping.checks]
        self.column_of_target = {c.target: c.name for c in self.columns}
        self.blank_unlisted = mapping.unlisted_codes == "blank_with_warning"

    def _resolve(self, header: list[str]) -> list[_Column]:
        position = {name: index for index, name in enumerate(header)}
        columns, missing = [], []
        for name, mapped in self.mapping.columns.items():
            found = next((n for n in (name, *mapped.aliases) if n in position), None)
            if found is None:
                if mapped.required:
                    missing.append(name)
                else:
                    self.notes.append(
                        f"column {name} is not in the file; {mapped.target} is left blank"
                    )
                continue
            if found != name:
                self.notes.append(f"column {name} read from {found}")
            kind = self.mapping.target_of(name).kind
            columns.append(
                _Column(
                    name,
                    position[found],
                    mapped.target,
                    build_parser(self.mapping, name),
                    mapped.required,
                    kind in ("date", "datetime"),
                )
            )
        if missing:
            raise HeaderMismatchError(
                f"the file lacks the required column{'s' * (len(missing) > 1)} "
                f"{', '.join(missing)} (mapping {self.mapping.name})"
            )
        return columns

    def map(self, source: SourceRow) -> MappedRow:
        record: dict[str, Any] = {}
        findings: list[Finding] = []
        if len(source.values) != self.width:
            findings.append(
                Finding(
                    source.number,
                    "",
                    "row_width",
                    "error",
                    f"the row has {len(source.values)} values, the header {self.width}",
                )
            )
            return MappedRow(source.number, record, findings)
        for column in self.columns:
            raw = source.values[column.index]
            if not raw.strip():
                record[column.target] = None
                if column.required:
                    findings.append(
                        Finding(
                            source.number,
                            column.name,
                            "required",
                            "error",
                            f"{column.name} is required but blank",
                        )
                    )
                continue
            try:
                value = column.parse(raw)
            except Invalid as invalid:
                record[column.target] = None
                severity = invalid.severity
                if invalid.rule == "code_list" and not column.required and self.blank_unlisted:
                    severity = "warning"
                findings.append(
                    Finding(source.number, column.name, invalid.rule, severity, invalid.message)
                )
                continue
            if column.is_date and _day(value) > self.today:
                findings.append(
                    Finding(
                        source.number,
                        column.name,
                        "future_date",
                        "error",
                        f"{column.name} is in the future",
                    )
                )
            record[column.target] = value
        for check in self.checks:
            for target, rule, severity, message in check.run(record):
                column_name = self.column_of_target.get(target, target)
                findings.append(Finding(source.number, column_name, rule, severity, message))
        return MappedRow(source.number, record, findings)


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value
