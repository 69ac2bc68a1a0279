"""The tables of a national source as read: a name, where it came from, its header and its rows.

A folder holds one file per table, named by the table (`MSD401BabyDemographics.csv`, any letter
case, `.csv` or `.txt`), comma- or pipe-delimited, with a header row of the data item names in any
letter case. Column names are matched without regard to case everywhere below. A warehouse's
tables are read into the same shape by `service/ingest/national_db.py`.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from fhir_mappings.extract_file import ExtractFileError, file_sha256

SUFFIXES = (".csv", ".txt")


@dataclass(frozen=True)
class TableData:
    name: str  # as the mapping declares it
    source: str  # the file name, or schema.table in a database
    sha256: str
    header: tuple[str, ...]
    rows: list[tuple[str, ...]]  # data rows in order; row n of the file is rows[n - 1]
    _position: dict[str, int] = field(default_factory=dict, compare=False, repr=False)
    # The same positions by the spelling asked for: a record reads each column hundreds of
    # thousands of times, and lowering the name every time was a tenth of the assembly.
    _asked: dict[str, int | None] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._position.update({column.lower(): i for i, column in enumerate(self.header)})

    def has(self, *columns: str) -> bool:
        return all(self.index(c) is not None for c in columns)

    def index(self, column: str) -> int | None:
        try:
            return self._asked[column]
        except KeyError:
            at = self._asked[column] = self._position.get(column.lower())
            return at

    def value(self, row: tuple[str, ...], column: str) -> str:
        at = self.index(column)
        return row[at].strip() if at is not None and at < len(row) else ""


@dataclass(frozen=True)
class FolderContents:
    tables: dict[str, TableData]
    ignored: list[str]  # files that are no table the mapping reads


def read_folder(folder: Path, declared: Iterable[str]) -> FolderContents:
    """Every declared table found in the folder, and the names of the files left unread."""
    wanted = {name.lower(): name for name in declared}
    tables: dict[str, TableData] = {}
    ignored: list[str] = []
    for path in sorted(folder.iterdir()):
        if not path.is_file():
            continue
        name = wanted.get(path.stem.lower()) if path.suffix.lower() in SUFFIXES else None
        if name is None:
            ignored.append(path.name)
            continue
        if name in tables:
            raise ExtractFileError(
                f"{folder.name}: two files hold {name} ({tables[name].source}, {path.name})"
            )
        tables[name] = read_table_file(path, name)
    return FolderContents(tables, ignored)


def read_table_file(path: Path, name: str) -> TableData:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ExtractFileError(
            f"{path.name}: not UTF-8 text; save the table as UTF-8 and load it again"
        ) from None
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), None)
    if first is None:
        raise ExtractFileError(f"{path.name}: the file is empty (no header row)")
    delimiter = "|" if first.count("|") > first.count(",") else ","
    reader = csv.reader(_non_blank(lines), delimiter=delimiter)
    header = tuple(column.strip() for column in next(reader))
    repeated = sorted({c for c in header if [h.lower() for h in header].count(c.lower()) > 1})
    if repeated:
        raise ExtractFileError(f"{path.name}: the header repeats {', '.join(repeated)}")
    rows = [_padded(tuple(values), len(header)) for values in reader]
    return TableData(name, path.name, file_sha256(path), header, rows)


def rows_sha256(rows: Iterable[tuple[str, ...]]) -> str:
    """A digest of a table read from somewhere other than a file."""
    digest = hashlib.sha256()
    for row in rows:
        digest.update("\x1f".join(row).encode() + b"\x1e")
    return digest.hexdigest()


def _non_blank(lines: list[str]) -> Iterator[str]:
    return (line for line in lines if line.strip())


def _padded(values: tuple[str, ...], width: int) -> tuple[str, ...]:
    return values + ("",) * (width - len(values)) if len(values) < width else values
