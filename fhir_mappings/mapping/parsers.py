"""Parsers: one source text value in, one typed value out, or an `Invalid` saying why not.

Each is built once per column from the mapping (format, unit, code map), then called per row.
Messages never echo the value of an identifying field.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from fhir_mappings.findings import Severity
from fhir_mappings.mapping.model import Mapping
from fhir_mappings.mapping.targets import Target
from fhir_mappings.nhs_number import is_valid

ParseValue = Callable[[str], Any]
POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")
# Formats an analyst is likely to meet, to say which one a bad date seems to be in.
LIKELY_DATE_FORMATS = {
    "%d/%m/%Y": "DD/MM/YYYY",
    "%d-%m-%Y": "DD-MM-YYYY",
    "%Y/%m/%d": "YYYY/MM/DD",
    "%d.%m.%Y": "DD.MM.YYYY",
    "%Y%m%d": "YYYYMMDD",
}


class Invalid(Exception):  # noqa: N818 - a value, not a failure of the program
    def __init__(self, rule: str, message: str, severity: Severity = "error") -> None:
        super().__init__(message)
        self.rule, self.message, self.severity = rule, message, severity


def build_parser(mapping: Mapping, column: str) -> ParseValue:
    target = mapping.target_of(column)
    kind = mapping.parser_of(column)
    mapped = mapping.columns[column]
    if kind == "text":
        return _text
    if kind in ("integer", "decimal"):
        return _number(
            target,
            mapping.unit_factor(column),
            integer=target.kind == "integer",
            decimal_input=kind == "decimal"
            or (mapped.unit is not None and mapping.unit_factor(column) != 1.0),
        )
    if kind == "date":
        as_datetime = target.kind == "datetime"
        return _date(mapped.format or mapping.date_format, target, as_datetime=as_datetime)
    if kind == "datetime":
        return _datetime(mapped.format or mapping.datetime_format, target)
    if kind == "yes_no":
        return _yes_no(mapping.yes_values, mapping.no_values)
    if kind == "code":
        return _code(mapping.code_map(column), target.value_set or "")
    if kind == "nhs_number":
        return _nhs_number
    return _postcode


def _text(raw: str) -> str:
    return raw.strip()


def _number(target: Target, factor: float, *, integer: bool, decimal_input: bool) -> ParseValue:
    def parse(raw: str) -> float | int:
        text = raw.strip().replace(",", "")
        try:
            value = float(text) if decimal_input or not integer else int(text)
        except ValueError:
            value = _suspect_or_fail(target, text, integer)
        value = value * factor
        if integer:
            value = round(value)
        if factor == 1.0:
            for low, high, hint in target.suspect:
                if low <= value < high:
                    raise Invalid(
                        "unit_suspect",
                        f"{text} {hint}; declare the unit in the "
                        "mapping if the extract records it that way",
                    )
        if (target.low is not None and value < target.low) or (
            target.high is not None and value > target.high
        ):
            raise Invalid(
                "range",
                f"{_shown(value)} is outside the plausible range "
                f"{_shown(target.low)}–{_shown(target.high)}{_unit(target)}",
            )
        return value

    return parse


def _suspect_or_fail(target: Target, text: str, integer: bool) -> float:
    try:
        value = float(text)
    except ValueError:
        raise Invalid("not_a_number", f"{text!r} is not a number") from None
    for low, high, hint in target.suspect:
        if low <= value < high:
            raise Invalid(
                "unit_suspect",
                f"{text} {hint}; declare the unit in the mapping if "
                "the extract records it that way",
            )
    if integer:
        raise Invalid("not_a_number", f"{text!r} is not a whole number")
    return value


def _date(fmt: str, target: Target, *, as_datetime: bool) -> ParseValue:
    def parse(raw: str) -> date | datetime:
        try:
            parsed = datetime.strptime(raw.strip(), fmt)
        except ValueError:
            raise _bad_date(raw.strip(), fmt, target) from None
        return parsed if as_datetime else parsed.date()

    return parse


def _datetime(fmt: str, target: Target) -> ParseValue:
    def parse(raw: str) -> datetime:
        try:
            return datetime.strptime(raw.strip(), fmt)
        except ValueError:
            raise _bad_date(raw.strip(), fmt, target) from None

    return parse


def _bad_date(text: str, fmt: str, target: Target) -> Invalid:
    date_part = text.split(" ")[0]
    for candidate, shown in LIKELY_DATE_FORMATS.items():
        try:
            datetime.strptime(date_part, candidate)
        except ValueError:
            continue
        return Invalid(
            "date_format",
            f"the date looks like {shown}, not {_pattern(fmt)}; "
            "declare date_format in the mapping if the extract uses it",
        )
    value = "" if target.identifying else f" {text!r}"
    return Invalid("date_format", f"the value{value} is not a date in {_pattern(fmt)}")


def _pattern(fmt: str) -> str:
    for code, shown in (("%Y", "YYYY"), ("%m", "MM"), ("%d", "DD"), ("%H", "HH"), ("%M", "MM")):
        fmt = fmt.replace(code, shown)
    return fmt


def _yes_no(yes: tuple[str, ...], no: tuple[str, ...]) -> ParseValue:
    def parse(raw: str) -> bool:
        text = raw.strip()
        if text in yes:
            return True
        if text in no:
            return False
        raise Invalid("code_list", f"{text!r} is not one of {', '.join(yes + no)}")

    return parse


def _code(code_map: dict[str, str], value_set: str) -> ParseValue:
    folded = {local.casefold(): concept for local, concept in code_map.items()}

    def parse(raw: str) -> str:
        text = raw.strip()
        concept = code_map.get(text) or folded.get(text.casefold())
        if concept is None:
            raise Invalid("code_list", f"{text!r} is not in the {value_set} code list")
        return concept

    return parse


def _nhs_number(raw: str) -> str:
    digits = raw.replace(" ", "").replace("-", "").strip()
    if len(digits) != 10 or not digits.isdigit():
        raise Invalid("nhs_number_format", "the NHS number is not 10 digits")
    if not is_valid(digits):
        raise Invalid("nhs_number_check_digit", "the NHS number fails the modulus-11 check")
    return digits


def _postcode(raw: str) -> str | None:
    compact = raw.upper().replace(" ", "").strip()
    match = POSTCODE.match(compact)
    if match is None:
        raise Invalid("postcode_format", "the postcode is not a UK postcode", "warning")
    return f"{match.group(1)} {match.group(2)}"


def _shown(value: float | None) -> str:
    if value is None:
        return "?"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _unit(target: Target) -> str:
    return f" {target.unit}" if target.unit else ""
