"""The catalogue's condition language: combinations (`any_of`, `all_of`), comparing one date
field with another (`after`), and the mistakes it names."""

from __future__ import annotations

import pandas as pd
import pytest

from service.indicators.conditions import ConditionError, check, fields_of, mask

FRAME = pd.DataFrame(
    {
        "parity": pd.array([0, None, 1, None], dtype="Int64"),
        "previous_caesareans": pd.array([None, 0, 0, None], dtype="Int64"),
        "labour_onset_date": pd.to_datetime(["2026-06-11", "2026-06-12", None, "2026-06-12"]),
        "caesarean_date": pd.to_datetime(["2026-06-12", "2026-06-12", "2026-06-12", None]),
    }
)
FIELDS = set(FRAME.columns)
NO_PREVIOUS_BIRTHS = {
    "all_of": [
        {"any_of": [{"parity": 0}, {"parity": {"recorded": False}}]},
        {"any_of": [{"previous_caesareans": 0}, {"previous_caesareans": {"recorded": False}}]},
        {"any_of": [{"parity": {"recorded": True}}, {"previous_caesareans": {"recorded": True}}]},
    ]
}


def test_any_of_inside_all_of_reads_zero_or_unrecorded_with_one_recorded() -> None:
    # Row 3 recorded nothing; row 2 had a previous birth.
    assert mask(FRAME, NO_PREVIOUS_BIRTHS).tolist() == [True, True, False, False]


def test_after_compares_dates_and_a_missing_date_fails() -> None:
    later = {"caesarean_date": {"after": "labour_onset_date"}}
    # The same day is not after; no onset date, or no caesarean, is not after either.
    assert mask(FRAME, later).tolist() == [True, False, False, False]
    either = {"any_of": [later, {"caesarean_date": {"recorded": False}}]}
    assert mask(FRAME, either).tolist() == [True, False, False, True]


def test_fields_of_reaches_through_combinations_and_comparisons() -> None:
    condition = {**NO_PREVIOUS_BIRTHS, "caesarean_date": {"after": "labour_onset_date"}}
    assert fields_of(condition) == FIELDS


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ({"any_of": {"parity": 0}}, "any_of takes a list of conditions"),
        ({"all_of": [{"gravida": 1}]}, "unknown field 'gravida'"),
        ({"caesarean_date": {"after": "delivery_date"}}, "after: unknown field 'delivery_date'"),
        ({"parity": {"more_than": 1}}, "a test is one of"),
    ],
)
def test_a_malformed_condition_is_named(condition: dict[str, object], message: str) -> None:
    with pytest.raises(ConditionError, match=message):
        check(condition, FIELDS, "CQIMRobson01 denominator")
