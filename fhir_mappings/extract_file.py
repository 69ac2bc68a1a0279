"""Read a source extract robustly and in a stream: UTF-8 with or without a byte-order mark, Unix
or Windows line endings, quoted fields with commas, trailing empty lines.

A file that cannot be read as a whole (not UTF-8, no header, a required column missing) raises
`ExtractFileError` with one message, before any row is loaded.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from fhir_mappings.findings import Finding

CHUNK_BYTES = 1 << 20


class ExtractFileError(Exception):
    """The whole file is unusable; the message says why."""


@dataclass(frozen=True)
class SourceRow:
    number: int  # 1-based data row, the header excluded: what an analyst sees in a spreadsheet
    values: tuple[str, ...]
    # A row assembled from several tables (a national source) carries where each part came
    # from, everything it was made of, and the digest of what the mapping reads; a plain file's
    # row is its own origin, raw values and digest.
    origin: tuple[RowOrigin, ...] = ()
    raw: dict[str, str] | None = None
    digest: str | None = None
    findings: tuple[Finding, ...] = ()  # found while assembling it (a date outside its period)


class RowOrigin(NamedTuple):  # a tuple, not a dataclass: an ingest makes one per table row
    """One table row behind an assembled row: `table` as the mapping names it (the prefix of
    its columns), the file (or database table) it was read from, its checksum and its row."""

    table: str
    source: str
    sha256: str
    row: int

    @property
    def where(self) -> str:
        return f"{self.source} row {self.row}"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(CHUNK_BYTES), b""):
            digest.update(block)
    return digest.hexdigest()


def read_header(path: Path) -> list[str]:
    with _open_text(path) as text:
        return _header(csv.reader(text), path.name)


def read_rows(path: Path) -> Iterator[SourceRow]:
    """The data rows, one at a time; blank lines (such as a trailing one) are skipped. A short
    row is padded with blanks; a long one keeps its extra values for the width check."""
    with _open_text(path) as text:
        reader = csv.reader(text)
        header = _header(reader, path.name)
        number = 0
        try:
            for values in reader:
                if not values or values == [""]:
                    continue
                number += 1
                if len(values) < len(header):
                    values += [""] * (len(header) - len(values))
                yield SourceRow(number, tuple(values))
        except UnicodeDecodeError:
            raise ExtractFileError(_not_utf8(path.name)) from None


def _open_text(path: Path) -> io.TextIOWrapper:
    # utf-8-sig drops a leading byte-order mark; newline="" lets csv see quoted line breaks
    # and both line-ending styles.
    return open(path, encoding="utf-8-sig", newline="")  # closed by the caller


def _header(reader: Iterator[list[str]], name: str) -> list[str]:
    try:
        for values in reader:
            if values and any(v.strip() for v in values):
                return _checked_header([v.strip() for v in values], name)
    except UnicodeDecodeError:
        raise ExtractFileError(_not_utf8(name)) from None
    raise ExtractFileError(f"{name}: the file is empty (no header row)")


def _checked_header(header: list[str], name: str) -> list[str]:
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if duplicated:
        raise ExtractFileError(f"{name}: the header repeats {', '.join(duplicated)}")
    if all(_looks_like_data(v) for v in header):
        raise ExtractFileError(f"{name}: the first line is data, not a header")
    return header


def _looks_like_data(value: str) -> bool:
    return value == "" or value.replace(".", "").replace("-", "").replace(" ", "").isdigit()


def _not_utf8(name: str) -> str:
    # The decoder reads ahead in blocks, so the row it stumbled on is not known precisely.
    return f"{name}: not UTF-8 text; save the extract as UTF-8 and load it again"
