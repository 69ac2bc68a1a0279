"""A mapping file, read and checked: each source column names its target field, its parser (and
date format), its unit, its code map, whether it is required, and any former names.

`load_mapping` fails with one message naming the column, parser, target or check that is wrong.
"""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from fhir_mappings.mapping.targets import TARGETS, Kind, Target
from fhir_mappings.national.model import SUBMISSION_PREFIX, National
from fhir_mappings.value_sets import VALUE_SETS

Parser = Literal[
    "text", "integer", "decimal", "date", "datetime", "yes_no", "code", "nhs_number", "postcode"
]

PARSERS_FOR_KIND: dict[Kind, tuple[Parser, ...]] = {
    "text": ("text",),
    "integer": ("integer", "decimal"),
    "decimal": ("decimal", "integer"),
    "date": ("date",),
    "datetime": ("datetime", "date"),
    "boolean": ("yes_no",),
    "code": ("code",),
    "nhs_number": ("nhs_number",),
    "postcode": ("postcode",),
}
DEFAULT_PARSER: dict[Kind, Parser] = {
    kind: parsers[0] for kind, parsers in PARSERS_FOR_KIND.items()
}
# Units a mapping may declare, as factors to the target's canonical unit.
UNIT_FACTORS: dict[tuple[str, str], float] = {
    ("kg", "g"): 1000.0,
    ("[lb_av]", "g"): 453.59237,
    ("lb", "g"): 453.59237,
    ("wk", "d"): 7.0,
    ("L", "mL"): 1000.0,
}
DEFAULT_MAPPINGS = {
    "maternity": "maternity_births_v1.yaml",
    "neonatal": "neonatal_episodes_v1.yaml",
    "health_visiting": "health_visiting_contacts_v1.yaml",
}
# The national datasets, by the names users type, with the mapping each is read through.
NATIONAL_MAPPINGS = {
    "msds": "msds_v2.yaml",
    "csds": "csds_v1_6.yaml",
    "nnds": "nnds_episodes.yaml",
}


class MappingError(Exception):
    """The mapping file cannot be used; the message names what is wrong."""


class ColumnMapping(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    target: str
    parser: Parser | None = None
    format: str | None = None
    unit: str | None = None
    codes: dict[str, str] | str | None = None
    required: bool = False
    aliases: tuple[str, ...] = ()


class Mapping(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    source_system: Literal["maternity", "neonatal", "health_visiting"]
    name: str
    key: str = Field(description="the target that identifies a row within the source system")
    date_format: str = "%Y-%m-%d"
    datetime_format: str = "%Y-%m-%d %H:%M"
    yes_values: tuple[str, ...] = ("Y",)
    no_values: tuple[str, ...] = ("N",)
    code_maps: dict[str, dict[str, str]] = Field(default_factory=dict)
    columns: dict[str, ColumnMapping]
    checks: tuple[str, ...] = ()
    # What a code outside its value set does to a row: quarantines it, or (for a column that is
    # not required) blanks the value with a warning so the rest of the record still counts.
    unlisted_codes: Literal["quarantine", "blank_with_warning"] = "quarantine"
    # A source held as several tables (MSDS, CSDS, the National Neonatal Data Set): its columns
    # are then `Table.Column`, activity and derived names (see fhir_mappings/national).
    national: National | None = None
    sha256: str = ""

    @property
    def targets(self) -> dict[str, Target]:
        return TARGETS[self.source_system]

    def target_of(self, column: str) -> Target:
        return self.targets[self.columns[column].target]

    def parser_of(self, column: str) -> Parser:
        mapped = self.columns[column]
        return mapped.parser or DEFAULT_PARSER[self.target_of(column).kind]

    def code_map(self, column: str) -> dict[str, str]:
        """Local code → canonical concept; the identity over the value set when none is given."""
        codes = self.columns[column].codes
        if isinstance(codes, str):
            return self.code_maps[codes]
        if codes is not None:
            return codes
        value_set = self.target_of(column).value_set
        return {concept: concept for concept in VALUE_SETS[value_set or ""]}

    def unit_factor(self, column: str) -> float:
        declared, canonical = self.columns[column].unit, self.target_of(column).unit
        if declared is None or declared == canonical:
            return 1.0
        return UNIT_FACTORS[(declared, canonical or "")]

    def column_of(self, target: str) -> str | None:
        return next((c for c, m in self.columns.items() if m.target == target), None)


def load_mapping(path: Path) -> Mapping:
    """Read and check a mapping file."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise MappingError(f"cannot read mapping {path}: {error.strerror}") from None
    return parse_mapping(raw, path.name)


def default_mapping(source_system: str) -> Mapping:
    return _packaged(DEFAULT_MAPPINGS[source_system])


def national_mapping(dataset: str) -> Mapping:
    return _packaged(NATIONAL_MAPPINGS[dataset])


def _packaged(name: str) -> Mapping:
    file = resources.files("fhir_mappings.mapping") / "defaults" / name
    return parse_mapping(file.read_bytes(), name)


def parse_mapping(raw: bytes, name: str) -> Mapping:
    try:
        document = yaml.safe_load(raw)
    except yaml.YAMLError as error:
        raise MappingError(f"mapping {name}: not valid YAML ({error})") from None
    if not isinstance(document, dict):
        raise MappingError(f"mapping {name}: expected a YAML mapping at the top level")
    try:
        mapping = Mapping(**document, sha256=hashlib.sha256(raw).hexdigest())
    except ValidationError as error:
        raise MappingError(f"mapping {name}: {_describe(error)}") from None
    problem = _first_problem(mapping)
    if problem:
        raise MappingError(f"mapping {name}: {problem}")
    return mapping


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    location = [str(part) for part in first["loc"]]
    if location[:1] == ["columns"] and len(location) >= 3:
        column, setting = location[1], location[2]
        if first["type"] == "extra_forbidden":
            return f"column {column!r}: unknown setting {setting!r}"
        if setting == "parser":
            return (
                f"column {column!r}: unknown parser {first.get('input')!r} "
                f"(known: {', '.join(KNOWN_PARSERS)})"
            )
        return f"column {column!r}, {setting}: {first['msg']}"
    if first["type"] == "extra_forbidden":
        return f"unknown setting {location[0]!r}"
    return f"{'.'.join(location)}: {first['msg']}"


KNOWN_PARSERS = sorted({p for ps in PARSERS_FOR_KIND.values() for p in ps})


def _first_problem(mapping: Mapping) -> str | None:
    targets = mapping.targets
    seen_targets: dict[str, str] = {}
    seen_names: dict[str, str] = {}
    for column, mapped in mapping.columns.items():
        if mapped.target not in targets:
            return (
                f"column {column!r}: unknown target {mapped.target!r} for "
                f"{mapping.source_system} (known: {', '.join(sorted(targets))})"
            )
        if mapped.target in seen_targets:
            return (
                f"column {column!r}: target {mapped.target!r} is already filled by column "
                f"{seen_targets[mapped.target]!r}"
            )
        seen_targets[mapped.target] = column
        for name in (column, *mapped.aliases):
            if name in seen_names:
                return f"column {column!r}: the name {name!r} is also used by {seen_names[name]!r}"
            seen_names[name] = column
        problem = _column_problem(mapping, column, mapped, targets[mapped.target])
        if problem:
            return f"column {column!r}: {problem}"
        for name in (column, *mapped.aliases):
            if mapping.national and not _national_column(mapping.national, name):
                return (
                    f"column {name!r}: neither Table.Column of a declared table nor an "
                    "activity or derived column"
                )
    if mapping.national:
        national = mapping.national
        conditions = [("keep_records", n) for n in national.keep_records] + [
            (f"derived {d!r}", n)
            for d, derived in national.derived.items()
            for n in (*derived.only_if, *derived.unless)
        ]
        for where, name in conditions:
            if not _national_column(national, name):
                return f"{where}: {name!r} is not Table.Column, an activity or a derived column"
    if mapping.key not in seen_targets:
        return f"key {mapping.key!r} is not the target of any column"
    from fhir_mappings.mapping.checks import CHECKS  # the checks import this module

    for check in mapping.checks:
        if check not in CHECKS.get(mapping.source_system, {}):
            known = ", ".join(sorted(CHECKS.get(mapping.source_system, {})))
            return f"unknown check {check!r} (known: {known})"
        missing = [t for t in CHECKS[mapping.source_system][check].needs if t not in seen_targets]
        if missing:
            return f"check {check!r} needs the target {missing[0]!r}, which no column fills"
    return None


def _national_column(national: National, name: str) -> bool:
    table = name.partition(".")[0]
    return (
        name in national.activities
        or name in national.derived
        or name in national.statuses
        or table in national.tables
        or table == SUBMISSION_PREFIX
    )


def _column_problem(
    mapping: Mapping, column: str, mapped: ColumnMapping, target: Target
) -> str | None:
    parser = mapped.parser or DEFAULT_PARSER[target.kind]
    if parser not in PARSERS_FOR_KIND[target.kind]:
        allowed = ", ".join(PARSERS_FOR_KIND[target.kind])
        return f"parser {parser!r} cannot fill target {mapped.target!r} (use {allowed})"
    convertible = (mapped.unit, target.unit or "") in UNIT_FACTORS
    if mapped.unit is not None and mapped.unit != target.unit and not convertible:
        return f"unit {mapped.unit!r} cannot be converted to {target.unit or 'a plain number'}"
    if isinstance(mapped.codes, str) and mapped.codes not in mapping.code_maps:
        return f"unknown code map {mapped.codes!r}"
    if mapped.codes is not None and target.kind != "code":
        return f"a code map needs a coded target, not {target.kind}"
    if target.kind == "code":
        value_set = VALUE_SETS[target.value_set or ""]
        wrong = sorted(set(mapping.code_map(column).values()) - set(value_set))
        if wrong:
            return (
                f"code map sends to {wrong[0]!r}, not in the {target.value_set} value set "
                f"({', '.join(value_set)})"
            )
    return None
