"""The catalogue's condition language, interpreted over a frame of the analytic projection.

A condition maps a field to a test: a value (equals), a list (one of), or one of the operators
below. Every test of a map must hold. A field that is not recorded fails every test except
`recorded: false`. `after: other_field` holds where the field's date is later than the other's.

Two keys combine conditions: `any_of: [condition, …]` holds where one of them does, `all_of:
[condition, …]` where each does (so a map can hold several `any_of`s). NHS England's Robson
groups read "no previous caesarean, live birth or stillbirth, and at least one of them
recorded" this way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

Mask = npt.NDArray[np.bool_]

OPERATORS: dict[str, Callable[[pd.Series, Any], pd.Series]] = {
    "at_least": lambda column, bound: column >= bound,
    "at_most": lambda column, bound: column <= bound,
    "below": lambda column, bound: column < bound,
    "between": lambda column, bounds: column.between(bounds[0], bounds[1]),
    "recorded": lambda column, wanted: column.notna() == bool(wanted),
}


class ConditionError(ValueError):
    """A condition the engine cannot read; the message names the field and the reason."""


COMBINATIONS = ("any_of", "all_of")
FIELD_OPERATORS = ("after",)  # operators whose bound is another field


def check(condition: Mapping[str, Any], fields: set[str], where: str) -> None:
    """Raise ConditionError unless every field exists and every test is well formed."""
    for field, test in condition.items():
        if field in COMBINATIONS:
            if not isinstance(test, list) or not all(isinstance(c, Mapping) for c in test):
                raise ConditionError(f"{where}: {field} takes a list of conditions")
            for part in test:
                check(part, fields, f"{where} {field}")
            continue
        if field not in fields:
            raise ConditionError(f"{where}: unknown field {field!r}")
        if isinstance(test, Mapping):
            known = (*OPERATORS, *FIELD_OPERATORS)
            if len(test) != 1 or next(iter(test)) not in known:
                raise ConditionError(
                    f"{where}: {field}: a test is one of {', '.join(known)}, not {dict(test)}"
                )
            operator, bound = next(iter(test.items()))
            if operator in FIELD_OPERATORS and bound not in fields:
                raise ConditionError(f"{where}: {field}: {operator}: unknown field {bound!r}")
            if operator == "between" and not (isinstance(bound, list) and len(bound) == 2):
                raise ConditionError(f"{where}: {field}: between takes [low, high]")


def fields_of(condition: Mapping[str, Any]) -> set[str]:
    """Every field the condition reads, through its combinations and field comparisons."""
    fields: set[str] = set()
    for field, test in condition.items():
        if field in COMBINATIONS:
            for part in test:
                fields |= fields_of(part)
            continue
        fields.add(field)
        if isinstance(test, Mapping) and next(iter(test), None) in FIELD_OPERATORS:
            fields.add(next(iter(test.values())))
    return fields


def mask(frame: pd.DataFrame, condition: Mapping[str, Any]) -> Mask:
    """Rows of `frame` meeting every test of `condition`."""
    result = np.ones(len(frame), dtype=bool)
    for field, test in condition.items():
        if field == "any_of":
            result &= np.logical_or.reduce([mask(frame, c) for c in test], initial=False)
            continue
        if field == "all_of":
            result &= np.logical_and.reduce([mask(frame, c) for c in test], initial=True)
            continue
        column = frame[field]
        if isinstance(test, Mapping):
            operator, bound = next(iter(test.items()))
            if operator == "after":
                hit = column > frame[bound]
            else:
                hit = OPERATORS[operator](column, bound)
        elif isinstance(test, list):
            hit = column.isin(test)
        else:
            hit = column == test
        result &= hit.fillna(False).to_numpy(dtype=bool)
    return result
