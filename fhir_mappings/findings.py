"""A finding: one check that one row failed. Errors quarantine the row; warnings load it with a
data-quality flag. Messages never carry identifiers (NHS numbers, local ids, dates of birth,
postcodes): they say what is wrong, not whose record it is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    row: int
    column: str
    rule: str
    severity: Severity
    message: str

    def as_dict(self) -> dict[str, object]:
        return {
            "row": self.row,
            "column": self.column,
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
        }
