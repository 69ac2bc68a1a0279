"""Synthetic identifiers. NHS numbers come from the 999 range the NHS keeps for testing, so no
generated number can belong to a real person."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from fhir_mappings.nhs_number import check_digits

TEST_RANGE_PREFIX = 999_000_000  # 999 followed by six digits, then the check digit


def nhs_numbers(rng: np.random.Generator, count: int) -> npt.NDArray[np.object_]:
    """`count` distinct valid NHS numbers from the test range, as 10-character strings."""
    pool = TEST_RANGE_PREFIX + rng.permutation(1_000_000)
    digits = check_digits(pool[: int(count * 1.2) + 100])
    valid = digits >= 0
    first_nine = pool[: len(digits)][valid][:count]
    if len(first_nine) < count:
        raise ValueError(f"cannot make {count} distinct test NHS numbers")
    return np.array(
        [f"{a}{b}" for a, b in zip(first_nine, digits[valid][:count], strict=True)], dtype=object
    )


def local_ids(
    rng: np.random.Generator, prefix: str, count: int, digits: int = 7
) -> npt.NDArray[np.object_]:
    """`count` distinct local ids such as `RM0012345`, in a random order."""
    numbers = rng.choice(10**digits, count, replace=False)
    return np.array([f"{prefix}{n:0{digits}d}" for n in numbers], dtype=object)
