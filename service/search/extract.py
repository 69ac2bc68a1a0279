"""What a resource is findable by: the values of each declared search parameter, read from the
resource alone (no I/O), as rows for the four index tables."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from service.search.dates import date_range, period_range
from service.search.definitions import SearchParameter, parameters_for

STRING_INDEX_LENGTH = 200


@dataclass
class IndexEntries:
    """Rows without the resource's own type and id, each ending with the parameter name first:
    tokens (param, system, code), references (param, target type, target id), dates (param,
    low, high), strings (param, normalised, exact)."""

    tokens: set[tuple[str, str, str]] = field(default_factory=set)
    references: set[tuple[str, str, str]] = field(default_factory=set)
    dates: set[tuple[str, datetime, datetime]] = field(default_factory=set)
    strings: set[tuple[str, str, str]] = field(default_factory=set)


def index_entries(resource: dict[str, Any]) -> IndexEntries:
    entries = IndexEntries()
    for parameter, steps in _indexed_paths(resource["resourceType"]):
        for value in _values(resource, steps):
            _add(entries, parameter, value)
    return entries


def values_at(resource: dict[str, Any], path: str) -> list[Any]:
    """The values at a dotted element path, lists flattened; `name[x]` matches any type suffix."""
    return _values(resource, _steps(path))


Step = tuple[str, bool]  # (element name or choice stem, whether it is a choice `[x]`)


@cache
def _indexed_paths(resource_type: str) -> tuple[tuple[SearchParameter, tuple[Step, ...]], ...]:
    """Each parameter with its paths split once: this runs for every resource written."""
    return tuple(
        (parameter, _steps(path))
        for parameter in parameters_for(resource_type).values()
        for path in parameter.paths
    )


def _steps(path: str) -> tuple[Step, ...]:
    return tuple((step.removesuffix("[x]"), step.endswith("[x]")) for step in path.split("."))


def _values(resource: dict[str, Any], steps: tuple[Step, ...]) -> list[Any]:
    current: list[Any] = [resource]
    for name, choice in steps:
        following: list[Any] = []
        for node in current:
            if not isinstance(node, dict):
                continue
            if choice:
                found = [
                    v
                    for k, v in node.items()
                    if k.startswith(name) and k[len(name) :][:1].isupper()
                ]
            elif name in node:
                found = [node[name]]
            else:
                continue
            for value in found:
                if isinstance(value, list):
                    following.extend(value)
                else:
                    following.append(value)
        current = following
        if not current:
            break
    return current


def normalise(text: str) -> str:
    """Case- and accent-insensitive form FHIR string search compares by."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def reference_target(reference: str) -> tuple[str, str] | None:
    """("Patient", "123") from "Patient/123", an absolute URL ending so, or a versioned one."""
    parts = reference.split("/")
    if "_history" in parts:
        parts = parts[: parts.index("_history")]
    if len(parts) < 2 or not parts[-2][:1].isupper():
        return None
    return parts[-2], parts[-1]


def _add(entries: IndexEntries, parameter: SearchParameter, value: Any) -> None:
    name = parameter.name
    if parameter.type == "token":
        entries.tokens.update((name, system, code) for system, code in _tokens(value))
    elif parameter.type == "reference":
        target = reference_target(value.get("reference", "")) if isinstance(value, dict) else None
        if target and (not parameter.targets or target[0] in parameter.targets):
            entries.references.add((name, *target))
    elif parameter.type == "date":
        span = _date_span(value)
        if span:
            entries.dates.add((name, *span))
    else:
        for text in _strings(value):
            exact = text[:STRING_INDEX_LENGTH]
            entries.strings.add((name, normalise(exact), exact))


def _tokens(value: Any) -> Iterator[tuple[str, str]]:
    if isinstance(value, bool):
        yield "", "true" if value else "false"
    elif isinstance(value, str):
        yield "", value
    elif isinstance(value, dict):
        if "coding" in value:
            for coding in value["coding"]:
                yield from _tokens(coding)
        elif "code" in value:
            yield value.get("system", ""), str(value["code"])
        elif "value" in value:  # Identifier
            yield value.get("system", ""), str(value["value"])


def _date_span(value: Any) -> tuple[datetime, datetime] | None:
    try:
        if isinstance(value, str):
            return date_range(value)
        if isinstance(value, dict) and ("start" in value or "end" in value):
            return period_range(value)
    except ValueError:
        return None
    return None


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):  # HumanName, Address: every textual part
        for part in value.values():
            if isinstance(part, str):
                yield part
            elif isinstance(part, list):
                yield from (p for p in part if isinstance(p, str))
