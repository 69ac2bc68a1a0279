"""A FHIR search request, read from the query string and checked against the declared
parameters (pure: no I/O). Every problem names the parameter it is about."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import orjson

from service.search.dates import date_range
from service.search.definitions import SearchParameter, parameters_for, search_parameters

DEFAULT_COUNT = 50
MAX_COUNT = 1_000
DATE_PREFIXES = ("eq", "ne", "lt", "le", "gt", "ge")
# Parameters about the result rather than the match (FHIR R4 §3.1.1.5), and the page cursor.
RESULT_PARAMETERS = {"_count", "_sort", "_include", "_revinclude", "_summary", "_total", "_page"}
# Answered elsewhere (the response format) or harmless to accept without acting on.
ACCEPTED_WITHOUT_EFFECT = {"_format", "_pretty"}
MODIFIERS = {
    "token": {"missing", "not"},
    "reference": {"missing"},
    "date": {"missing"},
    "string": {"missing", "exact", "contains"},
}


class SearchRequestError(ValueError):
    def __init__(self, parameter: str, reason: str) -> None:
        super().__init__(f"search parameter {parameter!r}: {reason}")
        self.parameter = parameter


@dataclass(frozen=True)
class Criterion:
    """One `name[:modifier]=v1,v2` pair: any of the values matches (OR); criteria AND."""

    parameter: SearchParameter
    modifier: str | None
    values: tuple[str, ...]


@dataclass(frozen=True)
class Link:
    """`_include=Observation:subject[:Patient]` or `_revinclude=RelatedPerson:patient`."""

    source_type: str
    parameter: str
    target_type: str | None = None


@dataclass(frozen=True)
class PageCursor:
    """Where a page starts: after (or, for `previous`, before) a sort key and id."""

    direction: Literal["after", "before"]
    sort_value: Any
    resource_id: str

    def encode(self) -> str:
        value = (
            self.sort_value.isoformat()
            if isinstance(self.sort_value, datetime)
            else self.sort_value
        )
        token = orjson.dumps([self.direction[0], value, self.resource_id])
        return base64.urlsafe_b64encode(token).decode().rstrip("=")


@dataclass
class SearchRequest:
    resource_type: str
    criteria: list[Criterion] = field(default_factory=list)
    count: int = DEFAULT_COUNT
    sort: SearchParameter | None = None
    descending: bool = False
    includes: list[Link] = field(default_factory=list)
    revincludes: list[Link] = field(default_factory=list)
    summary_count: bool = False
    cursor: PageCursor | None = None
    # Parameters this server does not know: reported back, or refused under strict handling.
    ignored: list[str] = field(default_factory=list)


def parse_search(
    resource_type: str, query: list[tuple[str, str]], *, strict: bool = False
) -> SearchRequest:
    request = SearchRequest(resource_type)
    declared = parameters_for(resource_type)
    for key, value in query:
        name, _, modifier = key.partition(":")
        if name in RESULT_PARAMETERS and not modifier:
            _result_parameter(request, name, value)
        elif name in ACCEPTED_WITHOUT_EFFECT:
            continue
        elif name in declared:
            request.criteria.append(_criterion(declared[name], key, modifier or None, value))
        elif strict:
            raise SearchRequestError(key, f"is not supported for {resource_type}")
        else:
            request.ignored.append(key)
    return request


def decode_cursor(text: str) -> PageCursor:
    try:
        direction, value, resource_id = orjson.loads(
            base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        )
    except (ValueError, TypeError):
        raise SearchRequestError("_page", "is not a page this server gave out") from None
    if direction not in ("a", "b") or not isinstance(resource_id, str):
        raise SearchRequestError("_page", "is not a page this server gave out")
    return PageCursor("after" if direction == "a" else "before", value, resource_id)


def _result_parameter(request: SearchRequest, name: str, value: str) -> None:
    if name == "_count":
        if not value.isdigit():
            raise SearchRequestError(name, f"must be a whole number, not {value!r}")
        request.count = min(int(value), MAX_COUNT)
    elif name == "_sort":
        _sort(request, value)
    elif name in ("_include", "_revinclude"):
        link = _link(name, value)
        if name == "_include":
            if link.source_type != request.resource_type:
                raise SearchRequestError(
                    name, f"{value!r} does not start from {request.resource_type}"
                )
            request.includes.append(link)
        else:
            request.revincludes.append(link)
    elif name == "_summary":
        if value not in ("count", "false"):
            raise SearchRequestError(name, f"only _summary=count is offered, not {value!r}")
        request.summary_count = value == "count"
    elif name == "_page":
        request.cursor = decode_cursor(value)
    # _total: the total is always given, so every value is honoured.


def _sort(request: SearchRequest, value: str) -> None:
    keys = [key for key in value.split(",") if key]
    if len(keys) != 1:
        raise SearchRequestError("_sort", "sort by one parameter (then by id, always)")
    name = keys[0].removeprefix("-")
    parameter = parameters_for(request.resource_type).get(name)
    if parameter is None or (parameter.type != "date" and name != "_id"):
        raise SearchRequestError(
            "_sort", f"{name!r} is not a date parameter of {request.resource_type}"
        )
    request.sort = parameter
    request.descending = keys[0].startswith("-")


def _link(name: str, value: str) -> Link:
    parts = value.split(":")
    if len(parts) not in (2, 3):
        raise SearchRequestError(
            name, f"{value!r} must be Type:parameter or Type:parameter:TargetType"
        )
    parameter = search_parameters().get(parts[0], {}).get(parts[1])
    if parameter is None or parameter.type != "reference":
        raise SearchRequestError(name, f"{parts[0]}:{parts[1]} is not a reference parameter here")
    return Link(parts[0], parts[1], parts[2] if len(parts) == 3 else None)


def _criterion(parameter: SearchParameter, key: str, modifier: str | None, value: str) -> Criterion:
    if modifier is not None:
        type_modifier = parameter.type == "reference" and modifier[:1].isupper()
        if not type_modifier and modifier not in MODIFIERS[parameter.type]:
            raise SearchRequestError(
                key, f"the modifier :{modifier} is not supported on a {parameter.type} parameter"
            )
    if modifier == "missing":
        if value not in ("true", "false"):
            raise SearchRequestError(key, f"must be true or false, not {value!r}")
        return Criterion(parameter, modifier, (value,))
    values = tuple(_split_values(value))
    if not values:
        raise SearchRequestError(key, "needs a value")
    if parameter.type == "date":
        for one in values:
            _date_value(key, one)
    return Criterion(parameter, modifier, values)


def date_bounds(value: str) -> tuple[str, datetime, datetime]:
    """(prefix, low, high) of a date search value such as `ge2024-03`."""
    prefix = value[:2] if value[:2].isalpha() else "eq"
    low, high = date_range(value[2:] if value[:2].isalpha() else value)
    return prefix, low, high


def _date_value(key: str, value: str) -> None:
    if value[:2].isalpha() and value[:2] not in DATE_PREFIXES:
        raise SearchRequestError(
            key,
            f"the prefix {value[:2]!r} is not supported (use one of {', '.join(DATE_PREFIXES)})",
        )
    try:
        date_bounds(value)
    except ValueError as error:
        raise SearchRequestError(key, str(error)) from None


def _split_values(text: str) -> list[str]:
    r"""Comma-separated values; `\,` is a literal comma (FHIR R4 §3.1.1.1.1)."""
    values, current, escaped = [], "", False
    for character in text:
        if escaped:
            current += character
            escaped = False
        elif character == "\\":
            escaped = True
        elif character == ",":
            values.append(current)
            current = ""
        else:
            current += character
    values.append(current)
    return [value for value in values if value]
