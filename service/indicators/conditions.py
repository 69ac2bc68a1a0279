"""The catalogue's condition language, interpreted over a frame of the analytic projection.

A condition maps a field to a test: a value (equals), a list (one of), or one of the operators
below. Every test of a map must hold. A field that is not recorded fails every test except
`recorded: false`.
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


def check(condition: Mapping[str, Any], fields: set[str], where: str) -> None:
    """Raise ConditionError unless every field exists and every test is well formed."""
    for field, test in condition.items():
        if field not in fields:
            raise ConditionError(f"{where}: unknown field {field!r}")
        if isinstance(test, Mapping):
            if len(test) != 1 or next(iter(test)) not in OPERATORS:
                raise ConditionError(
                    f"{where}: {field}: a test is one of {', '.join(OPERATORS)}, not {dict(test)}"
                )
            operator, bound = next(iter(test.items()))
            if operator == "between" and not (isinstance(bound, list) and len(bound) == 2):
                raise ConditionError(f"{where}: {field}: between takes [low, high]")


def mask(frame: pd.DataFrame, condition: Mapping[str, Any]) -> Mask:
    """Rows of `frame` meeting every test of `condition`."""
    result = np.ones(len(frame), dtype=bool)
    for field, test in condition.items():
        column = frame[field]
        if isinstance(test, Mapping):
            operator, bound = next(iter(test.items()))
            hit = OPERATORS[operator](column, bound)
        elif isinstance(test, list):
            hit = column.isin(test)
        else:
            hit = column == test
        result &= hit.fillna(False).to_numpy(dtype=bool)
    return result
