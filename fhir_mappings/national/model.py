"""The `national:` section of a mapping file: a source held as several tables (MSDS v2, CSDS, the
National Neonatal Data Set), declared as data.

It names the submission header and its fields (for the latest-submission rule), the table whose
rows are the records (one MSDS baby, one CSDS contact), and for every other table how it joins its
parent (candidate key columns, tried in order, so a folder of a provider's own ids and one of NHS
England's pseudonymous ids read through the same file), plus the care activities to pick out of
child tables by SNOMED CT code. The engine (`assemble.py`) turns the tables into one flat row per
record whose columns are `Table.Column` and `activity name`, which the mapping's `columns:` then
map as for any extract.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

KeyColumns = tuple[str, ...]
# The prefix under which a record's row carries its submission's fields (`Submission.provider`,
# `Submission.period_start`, `Submission.period_end`, `Submission.id`).
SUBMISSION_PREFIX = "Submission"


class Submission(BaseModel):
    """Where each submission says who sent it, for which period, and which one it is."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    table: str
    provider: str
    period_start: str
    period_end: str
    submission_id: str


class Join(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    table: str
    # Candidate key columns, tried in order: the first whose columns both tables hold is used.
    # (not `on`: YAML reads a bare on as true)
    keys: tuple[KeyColumns, ...] = ()


class Table(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    required: bool = True
    # How this table's rows find their parent row; none for the submission header.
    parent: Join | None = None
    # A child table of many rows per parent (care activities): read only through `activities`.
    many: bool = False
    # Dates that must fall in the row's reporting period: after its end is an error, before
    # its start a warning (a late-entered record counts where its own date falls).
    period_dates: tuple[str, ...] = ()


class Activity(BaseModel):
    """One value picked out of a child table's rows for a record: the rows whose `code` column
    holds a code of `codes` (all rows if no code is named), their `value` column, reduced by
    `pick`: the largest number, the first value, the most severe code (`codes` lists them
    from the least to the most severe), or how many rows match (days at a level of care).
    `code` may name several columns: a row matches where any of them holds a listed code (a
    maternal critical incident is a procedure or a finding)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    table: str
    code: str | tuple[str, ...] | None = None
    codes: str | None = None  # the name of a code list in `code_lists`
    value: str | None = None  # None: the code itself is the value
    pick: Literal["max", "first", "most_severe", "count"] = "first"
    # The value when no row matches: a vaginal birth with no perineal lesion recorded had an
    # intact perineum, as NHS England's CQIMTears counts it.
    absent: str | None = None


class ColumnTest(BaseModel):
    """A test of one column of a care activity row: every test given must hold. Numbers compare
    as numbers (a blank or a non-number fails every comparison, as SQL's CAST does)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    codes: str | tuple[str, ...] | None = None  # a code list's name, or the codes themselves
    above: float | None = None
    at_least: float | None = None
    below: float | None = None
    equals: float | None = None
    contains: str | None = None  # letter case and spaces ignored: "ppm" in "P PM"


class StatusRule(BaseModel):
    """A row has `status` if any one of the alternatives holds (each: all of its columns)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    status: str
    any_of: tuple[dict[str, ColumnTest], ...] = Field(min_length=1)
    # False: only for a row dated on another day than the record's (NHS England's booking
    # derivation gives "Unknown" only from a contact one to three days away).
    on_the_day: bool = True


class Status(BaseModel):
    """A status classified, as NHS England derives smoking at booking and at delivery, from
    care activity rows dated within `days` of one of the record's `near` dates.

    Each row takes the status of the first rule it meets (rules are in the order of NHS
    England's CASE). Of the classified rows one wins: a status not in `fallback` before one in
    it, then a row on the day itself before one days away, then the earlier status in the
    rules, then the later row. `sources` name each activity table and the column dating its
    rows (`Table.Column`: the row's own, or its parent's, as a care activity is dated by its
    care contact)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sources: dict[str, str] = Field(min_length=1)
    near: tuple[str, ...] = Field(min_length=1)
    days: int = Field(default=3, ge=0)
    rules: tuple[StatusRule, ...] = Field(min_length=1)
    fallback: tuple[str, ...] = ()


class Derived(BaseModel):
    """A column made of others (`Table.Column` names), joined by `separator`: each part is the
    first non-blank of its alternatives, so a key reads a provider's own id or NHS England's
    pseudonymous one, whichever the folder holds.

    `only_if` / `unless` make it conditional on other columns' values: a CSDS person's NHS
    number is the mother's at an antenatal contact and the child's at every other."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    parts: tuple[tuple[str, ...], ...] = Field(min_length=1)
    separator: str = ""
    only_if: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    unless: dict[str, tuple[str, ...]] = Field(default_factory=dict)


class RecordsWithout(BaseModel):
    """A second kind of record in the same tables: rows of an ancestor of the record table that
    are part of no record. NHS England counts every booking in the month, born or
    not, so an MSDS pregnancy with no labour and delivery recorded is read as a booking of its
    own. Its row is flattened as a record's is (its lineage, activities and statuses), mapped
    through the mapping's columns whose target is of one of the `reads` groups (`mother`,
    `pregnancy`), and built into FHIR by `builder`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    record_table: str
    record_key: tuple[KeyColumns, ...] = Field(min_length=1)
    key: str  # the target that identifies one (a mapping column must fill it)
    reads: tuple[str, ...] = Field(min_length=1)
    builder: str


class National(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    dataset: str  # its name, as NHS England publishes it ("MSDS v2")
    # None for a dataset extracted rather than submitted (the National Neonatal Data Set from
    # BadgerNet): its folder is one extract, and a record sent again replaces the earlier.
    submission: Submission | None = None
    record_table: str
    # What identifies a record within a provider (candidates, tried in order): a record sent
    # again in a later period's submission is read once, from the latest.
    record_key: tuple[KeyColumns, ...] = Field(min_length=1)
    tables: dict[str, Table]
    activities: dict[str, Activity] = Field(default_factory=dict)
    derived: dict[str, Derived] = Field(default_factory=dict)
    statuses: dict[str, Status] = Field(default_factory=dict)
    code_lists: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    # Records read only where these columns (or activities) hold one of the values: a CSDS
    # folder holds every community contact, and only attended health-visitor reviews are ours.
    # The rest are counted in a notice, not quarantined: they are not wrong, just not ours.
    keep_records: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    bookings_without_birth: RecordsWithout | None = None

    @model_validator(mode="after")
    def _consistent(self) -> National:
        tables = self.tables
        names = [self.record_table] + ([self.submission.table] if self.submission else [])
        names += [t.parent.table for t in tables.values() if t.parent]
        names += [a.table for a in self.activities.values()]
        names += [t for s in self.statuses.values() for t in s.sources]
        for name in names:
            if name not in tables:
                raise ValueError(f"table {name!r} is used but not declared under tables")
        for name, activity in self.activities.items():
            if activity.codes is not None and activity.codes not in self.code_lists:
                raise ValueError(f"activity {name!r}: unknown code list {activity.codes!r}")
            if activity.value is None and activity.code is None:
                raise ValueError(f"activity {name!r} names neither a code nor a value column")
            if not isinstance(activity.code, str | None) and not (
                activity.pick == "count" or activity.value
            ):
                raise ValueError(
                    f"activity {name!r}: several code columns need a value column or pick: count"
                )
            if activity.pick == "most_severe" and activity.codes is None:
                raise ValueError(f"activity {name!r}: most_severe needs a code list")
            self._check_activity_table(f"activity {name!r}", activity.table)
        for name, status in self.statuses.items():
            for source, dated_by in status.sources.items():
                self._check_activity_table(f"status {name!r}", source)
                if dated_by.partition(".")[0] not in self.lineage(source):
                    raise ValueError(
                        f"status {name!r}: {source} rows cannot be dated by {dated_by} "
                        "(neither its own column nor one of its parents')"
                    )
            for near in status.near:
                if near.partition(".")[0] not in self.lineage(self.record_table):
                    raise ValueError(f"status {name!r}: {near} is not a column of the record")
            for rule in status.rules:
                for alternative in rule.any_of:
                    for test in alternative.values():
                        if isinstance(test.codes, str) and test.codes not in self.code_lists:
                            raise ValueError(f"status {name!r}: unknown code list {test.codes!r}")
        other = self.bookings_without_birth
        if other is not None and other.record_table not in self.lineage(self.record_table)[1:]:
            raise ValueError(
                f"bookings_without_birth: {other.record_table} is not a table above "
                f"{self.record_table}"
            )
        top = self.submission.table if self.submission else self.record_table
        for name, table in tables.items():
            if name != top and table.parent is None:
                raise ValueError(f"table {name} names no parent")
            if self.submission is None and table.period_dates:
                raise ValueError(f"table {name}: period_dates need a submission header")
        if tables[top].parent is not None:
            raise ValueError(f"the top table {top} has no parent")
        return self

    def _check_activity_table(self, what: str, table: str) -> None:
        if not self.tables[table].many:
            raise ValueError(f"{what}: table {table} is not `many: true`")
        if self.anchor(table) not in self.lineage(self.record_table):
            raise ValueError(
                f"{what}: {table} must join {self.record_table} or one of its ancestors "
                "(directly or through other `many` tables)"
            )

    def anchor(self, table: str) -> str:
        """The first table above a `many` table that is not itself `many`: the record's row
        its rows belong to (a care activity → its care contact → the pregnancy)."""
        name = table
        while self.tables[name].many:
            parent = self.tables[name].parent
            if parent is None:
                return name
            name = parent.table
        return name

    def lineage(self, table: str) -> list[str]:
        """The table and its ancestors up to the top, nearest first."""
        chain = [table]
        while (parent := self.tables[chain[-1]].parent) is not None:
            if parent.table in chain:
                raise ValueError(f"tables {' → '.join(chain)} join in a circle")
            chain.append(parent.table)
        return chain
