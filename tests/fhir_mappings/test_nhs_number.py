from __future__ import annotations

import numpy as np
import pytest

from fhir_mappings.nhs_number import check_digit, check_digits, is_valid


@pytest.mark.parametrize("number", ["9434765919", "4010232137", "9990000018"])
def test_valid_numbers(number: str) -> None:
    assert is_valid(number)


@pytest.mark.parametrize(
    "number", ["9434765918", "943476591", "94347659190", "943476591X", "", "0000000001"]
)
def test_invalid_numbers(number: str) -> None:
    assert not is_valid(number)


def test_a_remainder_of_one_has_no_check_digit() -> None:
    # 1*10 + 0*9 + … + 0*2 = 10 → 11 - 10 = 1; 100000001 → 10 + 2 = 12 → 11 - 1 = 10: none.
    assert check_digit("100000001") is None


def test_the_vectorised_check_digits_agree_with_the_definition() -> None:
    first_nine = np.random.default_rng(3).integers(100_000_000, 999_999_999, 2_000)
    expected = [check_digit(str(n)) for n in first_nine]
    assert check_digits(first_nine).tolist() == [-1 if d is None else d for d in expected]
