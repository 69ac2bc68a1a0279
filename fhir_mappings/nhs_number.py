"""NHS number check digit (modulus 11), as the NHS Data Dictionary defines it."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

WEIGHTS = np.arange(10, 1, -1)  # 10, 9, …, 2 for the first nine digits


def check_digit(first_nine: str) -> int | None:
    """The tenth digit for these nine, or None when no valid NHS number starts with them."""
    total = sum(int(digit) * int(weight) for digit, weight in zip(first_nine, WEIGHTS, strict=True))
    digit = 11 - total % 11
    if digit == 11:
        return 0
    return None if digit == 10 else digit


def is_valid(nhs_number: str) -> bool:
    """True for ten digits whose last is the modulus-11 check digit of the other nine."""
    if len(nhs_number) != 10 or not nhs_number.isdigit():
        return False
    return check_digit(nhs_number[:9]) == int(nhs_number[9])


def check_digits(first_nine: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Vectorised `check_digit` on 9-digit integers; -1 where no check digit exists."""
    digits = (first_nine[:, None] // 10 ** np.arange(8, -1, -1)) % 10
    digit = 11 - (digits @ WEIGHTS) % 11
    digit = np.where(digit == 11, 0, digit)
    return np.where(digit == 10, -1, digit)
