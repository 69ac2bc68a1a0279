"""Reading the product's FHIR back into canonical values: the inverse of `codes` and `naming`.

Used by the analytic projection, which must count resources another system posted exactly as it
counts those built from extracts, so it reads national codes as well as the local ones.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fhir_mappings.ethnicity import ETHNIC_CATEGORY_SYSTEM
from fhir_mappings.fhir import codes
from fhir_mappings.fhir.naming import LOCAL_CODE_SYSTEM, PRODUCT_BASE
from fhir_mappings.value_sets import VALUE_SETS

SOURCE_PREFIX = f"{PRODUCT_BASE}/source/"
OTHER_SOURCE = "other"  # resources whose meta.source is not one of the product's extracts

_CONCEPT_BY_NATIONAL: dict[tuple[str, str], str] = {
    (c["system"], c["code"]): name for name, codings in codes.NATIONAL.items() for c in codings
}


def _national_values() -> dict[tuple[str, str, str], str]:
    """(value set, system, code) → value, for national codes that name exactly one value."""
    seen: dict[tuple[str, str, str], set[str]] = {}
    for (value_set, value), codings in codes.NATIONAL_VALUES.items():
        for c in codings:
            seen.setdefault((value_set, c["system"], c["code"]), set()).add(value)
    unambiguous = {key: next(iter(values)) for key, values in seen.items() if len(values) == 1}
    return {**unambiguous, **codes.NATIONAL_READING}


_VALUE_BY_NATIONAL = _national_values()


def source_system(resource: dict[str, Any]) -> str:
    """The source system named in `meta.source` (maternity, neonatal, health_visiting), or
    `other` for a resource that did not come from one of the product's extracts."""
    source = (resource.get("meta") or {}).get("source") or ""
    if not source.startswith(SOURCE_PREFIX):
        return OTHER_SOURCE
    return str(source.removeprefix(SOURCE_PREFIX).split("#", 1)[0].replace("-", "_"))


def codings(concept: dict[str, Any] | None) -> list[dict[str, Any]]:
    return list((concept or {}).get("coding") or [])


def concept_names(concept: dict[str, Any] | None) -> set[str]:
    """The product's names for what a CodeableConcept codes (e.g. {"birth-weight"})."""
    names = set()
    for c in codings(concept):
        if c.get("system") == LOCAL_CODE_SYSTEM:
            names.add(str(c.get("code")))
        elif name := _CONCEPT_BY_NATIONAL.get((c.get("system", ""), c.get("code", ""))):
            names.add(name)
    return names


def coded_value(concept: dict[str, Any] | None, value_set: str) -> str | None:
    """The canonical value of `value_set` a CodeableConcept holds: the local code keeps the exact
    value; a national code is read when it names one value only."""
    if value_set == "ethnic_category":
        for c in codings(concept):
            if c.get("system") == ETHNIC_CATEGORY_SYSTEM:
                return str(c.get("code"))
        return None
    prefix = f"{value_set}-"
    for c in codings(concept):
        code = str(c.get("code") or "")
        if c.get("system") == LOCAL_CODE_SYSTEM and code.startswith(prefix):
            value = code.removeprefix(prefix)
            if value in VALUE_SETS.get(value_set, ()):
                return value
    for c in codings(concept):
        national = _VALUE_BY_NATIONAL.get((value_set, c.get("system", ""), c.get("code", "")))
        if national:
            return national
    return None


def reference_id(element: dict[str, Any] | None, resource_type: str) -> str | None:
    """The id in a literal reference `Type/id` to `resource_type`, else None."""
    target = str((element or {}).get("reference") or "")
    prefix = f"{resource_type}/"
    return target.removeprefix(prefix) if target.startswith(prefix) else None


def extension_value(resource: dict[str, Any], url: str) -> dict[str, Any] | None:
    for extension in resource.get("extension") or []:
        if extension.get("url") == url:
            return dict(extension)
    return None


def fhir_date(value: str | None) -> date | None:
    """The calendar date of a FHIR date or dateTime, as written (local date, not UTC)."""
    if not value or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def fhir_datetime(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
