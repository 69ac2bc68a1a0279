"""The tables of a national source in, one flat row per record out: what the mapping engine maps.

Pure: the tables are read by the caller. In order:

1. **The latest submission wins.** For a provider and reporting period only the submission with
   the highest `UniqSubmissionID` is read; rows of superseded submissions are counted, not read.
2. **Joins.** Each table's rows find their parent by the first candidate key both tables hold,
   within the same submission, else in the provider's latest earlier submission that holds it (a
   booking sent in March is the parent of a birth sent in September). A row whose key matches no
   parent is an orphan: kept in quarantine with a finding naming its table, file and row.
3. **One record per record key.** A record sent again in a later period's submission is read
   once, from the latest period.
4. **Flattening.** A record's row holds `Table.Column` for every column of its table and its
   ancestors, each activity (a value picked from a child table's rows by SNOMED CT code) and
   each derived column, under the names the mapping uses. Dates a table declares as
   `period_dates` that fall after the end of the row's reporting period are errors.

The digest of a record covers only what the mapping reads, so a resubmission of the same facts
under a new `UniqSubmissionID` changes nothing downstream.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from fhir_mappings.extract_file import ExtractFileError, RowOrigin, SourceRow
from fhir_mappings.findings import Finding
from fhir_mappings.national.model import (
    SUBMISSION_PREFIX,
    Activity,
    ColumnTest,
    National,
    Status,
)
from fhir_mappings.national.tables import TableData


@dataclass(frozen=True)
class Refused:
    """A table row refused before mapping (an orphan, a row of no known submission)."""

    number: int
    raw: dict[str, str]
    digest: str
    findings: list[Finding]


@dataclass
class Assembly:
    header: list[str]
    records: list[SourceRow]
    refused: list[Refused]
    notes: list[str] = field(default_factory=list)
    # The second kind of record (`bookings_without_birth`), under its own header.
    other_header: list[str] = field(default_factory=list)
    other_records: list[SourceRow] = field(default_factory=list)


@dataclass(frozen=True)
class _Submission:
    provider: str
    period_start: date
    period_end: date
    id: str
    row: int


@dataclass(eq=False, slots=True)  # rows are told apart by identity; not frozen: made by the 100k
class _Row:
    table: TableData
    number: int  # 1-based, as in the file
    values: tuple[str, ...]
    submission: _Submission
    position: int  # among the table's live rows
    # The values stripped, once and only when read: a record reads its columns many times over,
    # most care-activity rows only a few of theirs.
    clean: tuple[str, ...] | None = field(default=None, repr=False)

    def value(self, column: str) -> str:
        at = self.table.index(column)
        return "" if at is None else self.cell(at)

    def cell(self, at: int) -> str:
        clean = self.clean
        if clean is None:
            width = len(self.table.header)
            clean = tuple(map(str.strip, self.values[:width]))
            clean = self.clean = clean + ("",) * (width - len(clean))
        return clean[at]

    @property
    def origin(self) -> RowOrigin:
        return RowOrigin(self.table.name, self.table.source, self.table.sha256, self.number)


# The one submission of a dataset that has none (an extract): no provider, no period bounds.
EXTRACT = _Submission("", date.min, date.max, "extract", 0)


def missing_tables(national: National, tables: dict[str, TableData]) -> list[str]:
    return [name for name, t in national.tables.items() if t.required and name not in tables]


def assemble(
    national: National,
    tables: dict[str, TableData],
    wanted: Sequence[str],
    other_wanted: Sequence[str] = (),
) -> Assembly:
    """Flatten the tables into records. `wanted` are the column names the mapping reads
    (`Table.Column`, activity and derived names, aliases included), in the mapping's spelling;
    `other_wanted` those its `bookings_without_birth` records read."""
    missing = missing_tables(national, tables)
    if missing:
        raise ExtractFileError(
            f"the folder lacks the required table{'s' * (len(missing) > 1)} "
            f"{', '.join(missing)} ({national.dataset}); nothing was loaded"
        )
    return _Assembler(national, tables).run(wanted, other_wanted)


class _Assembler:
    def __init__(self, national: National, tables: dict[str, TableData]) -> None:
        self.national = national
        self.tables = tables
        self.refused: list[Refused] = []
        self.notes: list[str] = []
        self.parent_of: dict[int, _Row] = {}  # a `many` row's direct parent, by id() of the row
        self._folded_lists: dict[str | tuple[str, ...], dict[str, int]] = {}
        self._column_at: dict[str, tuple[str, int | None]] = {}  # `Table.Column` → its position
        self._raw_names: dict[str, tuple[str, ...]] = {}  # a table's `Table.Column` names
        self.submissions, superseded = self._submissions()
        self.rows: dict[str, list[_Row]] = {}
        skipped: Counter[str] = Counter()
        header_table = national.submission.table if national.submission else None
        for name, table in tables.items():
            if name != header_table:
                self.rows[name] = self._live_rows(table, superseded, skipped)
        for sub_id in sorted(superseded):
            self.notes.append(
                f"submission {sub_id} is superseded by a later one for the same provider and "
                f"period: {skipped[sub_id]:,} rows not read"
            )

    # -- submissions ---------------------------------------------------------------------------

    def _submissions(self) -> tuple[dict[str, _Submission], set[str]]:
        spec = self.national.submission
        if spec is None:  # one extract: every row is of it, and no period bounds its dates
            return {EXTRACT.id: EXTRACT}, set()
        table = self.tables[spec.table]
        needed = (spec.provider, spec.period_start, spec.period_end, spec.submission_id)
        lacking = [c for c in needed if not table.has(c)]
        if lacking:
            raise ExtractFileError(f"{table.source}: no column {', '.join(lacking)}")
        found: dict[str, _Submission] = {}
        for number, values in enumerate(table.rows, start=1):
            start, end = (_iso_date(table.value(values, c)) for c in needed[1:3])
            sub_id = table.value(values, spec.submission_id)
            if not sub_id:
                problem = f"{spec.submission_id} is blank"
            elif start is None or end is None:
                problem = "the reporting period dates are not YYYY-MM-DD"
            elif end < start:
                problem = "the reporting period ends before it starts"
            elif sub_id in found:
                problem = f"submission {sub_id} appears twice"
            else:
                provider = table.value(values, spec.provider)
                found[sub_id] = _Submission(provider, start, end, sub_id, number)
                continue
            raise ExtractFileError(f"{table.source} row {number}: {problem}")
        latest: dict[tuple[str, date], _Submission] = {}
        for submission in found.values():
            period = (submission.provider, submission.period_start)
            if period not in latest or _later(submission.id, latest[period].id):
                latest[period] = submission
        live = {s.id for s in latest.values()}
        return {i: s for i, s in found.items() if i in live}, set(found) - live

    def _live_rows(
        self, table: TableData, superseded: set[str], skipped: Counter[str]
    ) -> list[_Row]:
        spec = self.national.submission
        column = spec.submission_id if spec else ""
        only = next(iter(self.submissions.values())) if len(self.submissions) == 1 else None
        if not (spec and table.has(column)) and only is None:
            raise ExtractFileError(
                f"{table.source}: no {column} column, and the folder holds "
                f"{len(self.submissions)} submissions; say which submission each row is from"
            )
        live: list[_Row] = []
        names_submission = spec is not None and table.has(column)  # asked once, not per row
        for number, values in enumerate(table.rows, start=1):
            sub_id = table.value(values, column) if names_submission else only.id  # type: ignore[union-attr]
            if sub_id in superseded:
                skipped[sub_id] += 1
                continue
            submission = self.submissions.get(sub_id)
            if submission is None:
                self._refuse(
                    table,
                    number,
                    values,
                    column,
                    "orphan_submission",
                    f"{column} matches no {spec.table if spec else 'submission'} row",
                )
                continue
            live.append(_Row(table, number, values, submission, len(live)))
        return live

    # -- joins ---------------------------------------------------------------------------------

    def _parents(self, child: str) -> dict[int, _Row | None]:
        """For each live row of `child` (by its position), its parent row, or None."""
        join = self.national.tables[child].parent
        assert join is not None
        if self.national.submission and join.table == self.national.submission.table:
            return {i: None for i in range(len(self.rows.get(child, [])))}
        child_table, parent_table = self.tables[child], self.tables[join.table]
        key = next((k for k in join.keys if child_table.has(*k) and parent_table.has(*k)), None)
        if key is None:
            shown = " or ".join("+".join(k) for k in join.keys)
            raise ExtractFileError(
                f"{child_table.source} and {parent_table.source} share no key column "
                f"to join on ({shown})"
            )
        in_submission: dict[tuple[str, ...], _Row] = {}
        by_provider: dict[tuple[str, ...], _Row] = {}
        for row in self.rows[join.table]:
            values = tuple(row.value(c) for c in key)
            if not all(values):
                continue
            in_submission[(row.submission.id, *values)] = row
            own = (row.submission.provider, *values)
            if own not in by_provider or _newer(row, by_provider[own]):
                by_provider[own] = row
        parents: dict[int, _Row | None] = {}
        for i, row in enumerate(self.rows[child]):
            values = tuple(row.value(c) for c in key)
            parent = in_submission.get((row.submission.id, *values)) or by_provider.get(
                (row.submission.provider, *values)
            )
            if parent is None:
                self._refuse(
                    child_table,
                    row.number,
                    row.values,
                    "+".join(key),
                    "orphan_row",
                    f"{'+'.join(key)} matches no {join.table} row from the same provider",
                )
            parents[i] = parent
        return parents

    # -- the run -------------------------------------------------------------------------------

    def run(self, wanted: Sequence[str], other_wanted: Sequence[str] = ()) -> Assembly:
        national = self.national
        lineage = national.lineage(national.record_table)
        parent_rows = {
            name: self._parents(name)
            for name in self.rows
            if national.tables[name].parent and (name in lineage or national.tables[name].many)
        }
        activity_rows = self._activity_rows(parent_rows)
        header = self._header(wanted, lineage)
        reached: dict[str, set[int]] = defaultdict(set)
        latest: dict[tuple[str, ...], list[_Row]] = {}
        duplicates = 0
        for i, row in enumerate(self.rows[national.record_table]):
            chain = self._chain(row, i, lineage, parent_rows)
            if chain is None:
                continue
            record_key = (row.submission.provider, *self._record_key(row))
            if record_key in latest:
                duplicates += 1
                if not _newer(row, latest[record_key][0]):
                    continue
            latest[record_key] = chain
        records = []
        left_out = 0
        for chain in sorted(latest.values(), key=lambda c: c[0].number):
            self._reach(chain, reached)
            record = self._record(chain, header, activity_rows)
            if record is None:
                left_out += 1
            else:
                records.append(record)
        if left_out:
            kept = "; ".join(
                f"{name} {', '.join(values)}" for name, values in national.keep_records.items()
            )
            self.notes.append(
                f"{left_out:,} {national.record_table} rows are not read: the mapping keeps "
                f"only records with {kept}"
            )
        if duplicates and national.submission is None:
            self.notes.append(
                f"{duplicates:,} {national.record_table} rows repeat a record already in the "
                "extract: the first is read"
            )
        elif duplicates:
            self.notes.append(
                f"{duplicates:,} {national.record_table} rows repeat a record sent in another "
                "period's submission: the latest period's is read"
            )
        other_header, other_records = self._without_birth(
            other_wanted, list(latest.values()), parent_rows, activity_rows
        )
        for record in other_records:
            for origin in record.origin:
                reached[origin.table].add(origin.row)
        for name in lineage[1:]:
            if name in self.rows:
                unused = len({r.number for r in self.rows[name]} - reached[name])
                if unused:
                    self.notes.append(
                        f"{unused:,} {name} rows are not yet part of a {national.record_table} "
                        "record (read when one arrives)"
                    )
        ignored = [name for name in self.rows if name not in lineage and not _used(name, national)]
        for name in ignored:
            self.notes.append(f"{name} is declared but nothing reads it")
        return Assembly(header, records, self.refused, self.notes, other_header, other_records)

    def _reach(self, chain: list[_Row], reached: dict[str, set[int]]) -> None:
        for link in chain:
            reached[link.table.name].add(link.number)

    def _without_birth(
        self,
        wanted: Sequence[str],
        chains: list[list[_Row]],
        parent_rows: dict[str, dict[int, _Row | None]],
        activity_rows: dict[str, dict[int, list[_Row]]],
    ) -> tuple[list[str], list[SourceRow]]:
        """The rows of `bookings_without_birth.record_table` in no record's chain (under any
        submission of the provider), one per record key: the latest period's."""
        other = self.national.bookings_without_birth
        if other is None or other.record_table not in self.rows:
            return [], []
        lineage = self.national.lineage(other.record_table)
        born = {
            (link.submission.provider, *self._key_of(link, other.record_key))
            for chain in chains
            for link in chain
            if link.table.name == other.record_table
        }
        latest: dict[tuple[str, ...], list[_Row]] = {}
        for i, row in enumerate(self.rows[other.record_table]):
            key = (row.submission.provider, *self._key_of(row, other.record_key))
            if key in born or (key in latest and not _newer(row, latest[key][0])):
                continue
            chain = self._chain(row, i, lineage, parent_rows, refuse=False)
            if chain is not None:
                latest[key] = chain
        header = self._header(wanted, lineage)
        records = [
            record
            for chain in sorted(latest.values(), key=lambda c: c[0].number)
            if (record := self._record(chain, header, activity_rows)) is not None
        ]
        if records:
            rows = "row is" if len(records) == 1 else "rows are"
            self.notes.append(
                f"{len(records):,} {other.record_table} {rows} part of no "
                f"{self.national.record_table} record: read as bookings without a birth"
            )
        return header, records

    def _chain(
        self,
        row: _Row,
        i: int,
        lineage: list[str],
        parent_rows: dict[str, dict[int, _Row | None]],
        *,
        refuse: bool = True,
    ) -> list[_Row] | None:
        """The row and its ancestors, or None where one matches no parent (refused against
        the record, unless `refuse` is false: a booking's break is already refused with the
        births above it)."""
        chain = [row]
        position = i
        for name in lineage[:-1]:
            parent = parent_rows[name].get(position)
            if parent is None:
                spec = self.national.submission
                if spec and lineage[lineage.index(name) + 1] == spec.table:
                    return chain
                if refuse and name != self.national.record_table:
                    # The break is above the record: say so against the record too.
                    self._refuse(
                        row.table,
                        row.number,
                        row.values,
                        "",
                        "orphan_row",
                        f"its {name} row ({chain[-1].origin.where}) matches no parent row",
                    )
                return None
            chain.append(parent)
            position = parent.position
        return chain

    def _record_key(self, row: _Row) -> tuple[str, ...]:
        return self._key_of(row, self.national.record_key)

    def _key_of(self, row: _Row, candidates: Sequence[tuple[str, ...]]) -> tuple[str, ...]:
        for candidate in candidates:
            if row.table.has(*candidate):
                return tuple(row.value(c) for c in candidate)
        return (str(row.number),)

    def _activity_rows(
        self, parent_rows: dict[str, dict[int, _Row | None]]
    ) -> dict[str, dict[int, list[_Row]]]:
        """For each `many` table, its rows grouped by the id() of their anchor row (the parent,
        or through `many` parents the first ancestor that is not `many`). Each row's direct
        parent is kept too, for the columns a row is dated by."""
        grouped: dict[str, dict[int, list[_Row]]] = {}
        for name, table in self.national.tables.items():
            if not table.many or name not in self.rows:
                continue
            by_anchor: dict[int, list[_Row]] = defaultdict(list)
            for i, row in enumerate(self.rows[name]):
                parent = parent_rows[name].get(i)
                if parent is not None:
                    self.parent_of[id(row)] = parent
                anchor = parent
                while anchor is not None and self.national.tables[anchor.table.name].many:
                    anchor = parent_rows[anchor.table.name].get(anchor.position)
                if anchor is not None:
                    by_anchor[id(anchor)].append(row)
            grouped[name] = by_anchor
        return grouped

    def _header(self, wanted: Sequence[str], lineage: list[str]) -> list[str]:
        header = []
        for name in dict.fromkeys(wanted):
            table, _, column = name.partition(".")
            if name in self.national.activities:
                if self.national.activities[name].table in self.tables:
                    header.append(name)
            elif name in self.national.statuses:
                if any(t in self.tables for t in self.national.statuses[name].sources):
                    header.append(name)
            elif (
                name in self.national.derived
                or table == SUBMISSION_PREFIX
                or (table in lineage and table in self.tables and self.tables[table].has(column))
            ):
                header.append(name)
        return header

    def _record(
        self, chain: list[_Row], header: list[str], activity_rows: dict[str, dict[int, list[_Row]]]
    ) -> SourceRow | None:
        record, submission = chain[0], chain[0].submission
        by_table = {link.table.name: link for link in chain}
        picked: dict[str, str] = {}
        used: list[_Row] = []

        def rows_of(table: str) -> list[_Row]:
            anchor = by_table.get(self.national.anchor(table))
            return activity_rows.get(table, {}).get(id(anchor), []) if anchor else []

        for name, activity in self.national.activities.items():
            picked[name], contributing = self._pick(activity, rows_of(activity.table))
            used += contributing
        for name, status in self.national.statuses.items():
            dates = [_iso_date(by_table[t].value(c)) if t in by_table else None
                     for t, _, c in (d.partition(".") for d in status.near)]  # fmt: skip
            rows = [(table, row) for table in status.sources for row in rows_of(table)]
            picked[name], contributing = self._classify(status, rows, dates)
            used += contributing
        submitted = {
            "provider": submission.provider,
            "period_start": submission.period_start.isoformat(),
            "period_end": submission.period_end.isoformat(),
            "id": submission.id,
        }

        # Each name once per record: derived names read the same columns many times over.
        known: dict[str, str] = dict(picked)

        def value(name: str) -> str:
            if name in known:
                return known[name]
            found = known[name] = _value(name)
            return found

        def _value(name: str) -> str:
            if name in self.national.derived:
                derived = self.national.derived[name]
                if any(value(c) not in allowed for c, allowed in derived.only_if.items()) or any(
                    value(c) in barred for c, barred in derived.unless.items()
                ):
                    return ""
                parts = [next((v for a in part if (v := value(a))), "") for part in derived.parts]
                return derived.separator.join(parts) if all(parts) else ""
            table, at = self._column(name)
            if table == SUBMISSION_PREFIX:
                return submitted.get(name.partition(".")[2], "")
            link = by_table.get(table)
            return link.cell(at) if link is not None and at is not None else ""

        for name, kept in self.national.keep_records.items():
            if value(name) not in kept:
                return None
        values = tuple(value(name) for name in header)
        raw: dict[str, str] = {}
        for link in chain:
            raw.update(zip(self._raw_names_of(link.table), link.values, strict=False))
        raw.update(picked)
        digest = hashlib.sha256("\x1f".join(values).encode()).hexdigest()
        findings = self._period_findings(chain)
        origin = tuple(link.origin for link in chain) + tuple(r.origin for r in dict.fromkeys(used))
        return SourceRow(record.number, values, origin, raw, digest, tuple(findings))

    def _column(self, name: str) -> tuple[str, int | None]:
        """The table of a `Table.Column` name and the column's position in it, found once."""
        try:
            return self._column_at[name]
        except KeyError:
            table, _, column = name.partition(".")
            data = self.tables.get(table)
            found = self._column_at[name] = (table, data.index(column) if data else None)
            return found

    def _raw_names_of(self, table: TableData) -> tuple[str, ...]:
        try:
            return self._raw_names[table.name]
        except KeyError:
            names = self._raw_names[table.name] = tuple(f"{table.name}.{c}" for c in table.header)
            return names

    def _pick(self, activity: Activity, rows: list[_Row]) -> tuple[str, list[_Row]]:
        codes = self.national.code_lists.get(activity.codes or "", ())
        folded = self._folded(activity.codes or ())
        code_columns = (activity.code,) if isinstance(activity.code, str) else activity.code
        matching = [
            r
            for r in rows
            if not code_columns
            or not codes
            or any(r.value(column).casefold() in folded for column in code_columns)
        ]
        if activity.pick == "count":
            # With no rows at all the count is unknown, not zero: nothing was recorded.
            return (str(len(matching)), matching) if rows else (activity.absent or "", [])
        value_column = activity.value or (code_columns[0] if code_columns else "")
        valued = [(r, r.value(value_column)) for r in matching]
        valued = [(r, v) for r, v in valued if v]
        if not valued:
            return activity.absent or "", []
        if activity.pick == "max":
            numeric = [(r, v) for r, v in valued if _number(v) is not None]
            if numeric:  # a non-number among numbers is left for the parser only if alone
                row, value = max(numeric, key=lambda rv: _number(rv[1]) or 0.0)
                return value, [row]
            return valued[0][1], [valued[0][0]]
        if activity.pick == "most_severe":
            ranked = [(r, v) for r, v in valued if v.casefold() in folded]
            if ranked:  # the code list runs from least to most severe
                row, value = max(ranked, key=lambda rv: folded[rv[1].casefold()])
                return value, [row]
        return valued[0][1], [valued[0][0]]

    def _classify(
        self, status: Status, rows: list[tuple[str, _Row]], near: list[date | None]
    ) -> tuple[str, list[_Row]]:
        near_dates = [d for d in near if d is not None]
        if not near_dates:
            return "", []
        order: dict[str, int] = {}  # each status by its first rule
        for i, rule in enumerate(status.rules):
            order.setdefault(rule.status, i)
        sources = list(status.sources)
        best: tuple[tuple[int, ...], str, list[_Row]] | None = None
        for table, row in rows:
            dating = self._dating_row(row, status.sources[table])
            when = (
                _iso_date(dating.value(status.sources[table].partition(".")[2])) if dating else None
            )
            if dating is None or when is None:
                continue
            apart = min(abs((when - d).days) for d in near_dates)
            if apart > status.days:
                continue
            found = next(
                (
                    rule.status
                    for rule in status.rules
                    if (rule.on_the_day or apart > 0)
                    and any(self._holds(row, tests) for tests in rule.any_of)
                ),
                None,
            )
            if found is None:
                continue
            rank = (
                found in status.fallback, apart > 0, order[found], sources.index(table),
                -row.number,
            )  # fmt: skip
            if best is None or rank < best[0]:
                best = (tuple(int(r) for r in rank), found, list(dict.fromkeys([row, dating])))
        return (best[1], best[2]) if best else ("", [])

    def _dating_row(self, row: _Row, column: str) -> _Row | None:
        """The row holding the date of `row` (`column` is `Table.Column`): its own or a parent."""
        table = column.partition(".")[0]
        link: _Row | None = row
        while link is not None and link.table.name != table:
            link = self.parent_of.get(id(link))
        return link

    def _folded(self, codes: str | tuple[str, ...]) -> dict[str, int]:
        """A code list (by name, or given inline) folded to lower case, each code with its place
        in the list; folded once per assembly, not once per row."""
        try:
            return self._folded_lists[codes]
        except KeyError:
            listed = self.national.code_lists.get(codes, ()) if isinstance(codes, str) else codes
            folded = self._folded_lists[codes] = {}
            for place, code in enumerate(listed):
                folded.setdefault(code.casefold(), place)
            return folded

    def _holds(self, row: _Row, tests: dict[str, ColumnTest]) -> bool:
        for column, test in tests.items():
            text = row.value(column)
            if test.codes is not None and text.casefold() not in self._folded(test.codes):
                return False
            if test.contains is not None and test.contains.replace(" ", "").casefold() not in (
                text.replace(" ", "").casefold()
            ):
                return False
            bounds = (test.above, test.at_least, test.below, test.equals)
            if any(b is not None for b in bounds):
                number = _number(text) if text else None
                if number is None:
                    return False
                if test.above is not None and not number > test.above:
                    return False
                if test.at_least is not None and not number >= test.at_least:
                    return False
                if test.below is not None and not number < test.below:
                    return False
                if test.equals is not None and number != test.equals:
                    return False
        return True

    def _period_findings(self, chain: list[_Row]) -> list[Finding]:
        findings = []
        for link in chain:
            for column in self.national.tables[link.table.name].period_dates:
                when = _iso_date(link.value(column))
                if when is not None and when > link.submission.period_end:
                    findings.append(
                        Finding(
                            chain[0].number,
                            f"{link.table.name}.{column}",
                            "outside_reporting_period",
                            "error",
                            f"{column} is after the end of the reporting period "
                            f"({link.submission.period_end.isoformat()}) of submission "
                            f"{link.submission.id}",
                        )
                    )
        return findings

    def _refuse(
        self,
        table: TableData,
        number: int,
        values: tuple[str, ...],
        column: str,
        rule: str,
        message: str,
    ) -> None:
        raw = {f"{table.name}.{c}": v for c, v in zip(table.header, values, strict=False)}
        digest = hashlib.sha256(
            "\x1f".join((table.name, str(number), *values)).encode()
        ).hexdigest()
        where = f"{table.source} row {number}"
        self.refused.append(
            Refused(
                number,
                raw,
                digest,
                [
                    Finding(
                        number,
                        f"{table.name}.{column}" if column else table.name,
                        rule,
                        "error",
                        f"{where}: {message}",
                    )
                ],
            )
        )


def _used(name: str, national: National) -> bool:
    """Whether a table outside the record's lineage is read: as an activity or status source,
    or as the `many` parent through which one joins."""
    sources = [a.table for a in national.activities.values()]
    sources += [t for s in national.statuses.values() for t in s.sources]
    for source in sources:
        lineage = national.lineage(source)
        if name in lineage[: lineage.index(national.anchor(source))]:
            return True
    return False


def _newer(row: _Row, than: _Row) -> bool:
    mine, theirs = row.submission, than.submission
    if mine.period_start != theirs.period_start:
        return mine.period_start > theirs.period_start
    return _later(mine.id, theirs.id)


def _later(a: str, b: str) -> bool:
    """Submission ids compare as numbers when both are (NHS England's are), else as text."""
    if a.isdigit() and b.isdigit():
        return int(a) > int(b)
    return a > b


def _iso_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def wanted_columns(columns: Iterable[tuple[str, Sequence[str]]]) -> list[str]:
    """The names a mapping's columns read, aliases included."""
    return [n for name, aliases in columns for n in (name, *aliases)]
