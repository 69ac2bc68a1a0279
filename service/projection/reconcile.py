"""Pick one value per field from what the source systems recorded, and say where they disagree.

Pure. The choice follows the field's precedence; a disagreement is reported between the chosen
value and each compared system whose value lies outside the field's tolerance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service.projection.deprivation import normalise_postcode, outward_code
from service.projection.precedence import FieldRule, Precedence, Tolerance


@dataclass(frozen=True)
class Choice:
    value: Any
    source: str


@dataclass(frozen=True)
class Disagreement:
    field: str
    issue: str
    chosen: Choice
    other: Choice
    message: str


def choose(field: str, candidates: dict[str, Any], precedence: Precedence) -> Choice | None:
    rule = precedence.rule(field)
    unknown = set(rule.unknown) if rule else set()
    known = {s: v for s, v in candidates.items() if v is not None}
    for skip_unknown in (True, False):  # a stated value beats "not stated" in any system
        for source in precedence.order(field):
            if source in known and not (skip_unknown and str(known[source]) in unknown):
                return Choice(known[source], source)
    return None


def disagreements(
    field: str, candidates: dict[str, Any], chosen: Choice | None, precedence: Precedence
) -> list[Disagreement]:
    rule = precedence.rule(field)
    if chosen is None or rule is None or rule.disagree_when is None or not rule.issue:
        return []
    compared = set(rule.compare) if rule.compare is not None else set(candidates)
    if chosen.source not in compared:
        return []
    found = []
    for source in rule.order():
        value = candidates.get(source)
        if source == chosen.source or source not in compared or value is None:
            continue
        if str(value) in rule.unknown or str(chosen.value) in rule.unknown:
            continue
        if _apart(chosen.value, value, rule.disagree_when, field):
            other = Choice(value, source)
            found.append(
                Disagreement(field, rule.issue, chosen, other, _message(rule, chosen, other, field))
            )
    return found


def shown_value(field: str, value: Any) -> str:
    """How a value appears in an issue: never more than a postcode district."""
    if field == "postcode":
        return outward_code(str(value)) or ""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _apart(a: Any, b: Any, tolerance: Tolerance, field: str) -> bool:
    if tolerance.different:
        return bool(_comparable(field, a) != _comparable(field, b))
    gap = abs(float(a) - float(b))
    beyond_absolute = tolerance.absolute is None or gap > tolerance.absolute
    smaller = min(abs(float(a)), abs(float(b)))
    beyond_relative = tolerance.relative is None or gap > tolerance.relative * smaller
    return beyond_absolute and beyond_relative


def _comparable(field: str, value: Any) -> Any:
    return normalise_postcode(str(value)) if field == "postcode" else value


def _message(rule: FieldRule, chosen: Choice, other: Choice, field: str) -> str:
    unit = f" {rule.unit}" if rule.unit else ""
    return (
        f"{rule.label} differs between {chosen.source} ({shown_value(field, chosen.value)}{unit}) "
        f"and {other.source} ({shown_value(field, other.value)}{unit}); "
        f"the analytic layer uses {chosen.source} by precedence"
    )
