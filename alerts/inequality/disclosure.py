"""Disclosure control for anything that leaves the service: small counts are hidden and the rest
rounded, so no published figure can single out a family.

Counts of 0 stay 0; 1–7 show as 5; others round to the nearest 5. Percentages are computed from
the rounded counts, rare-event rates (per 1,000) from the unrounded counts; neither is shown
when its numerator is suppressed (1–7), nor on a denominator under 10.
"""

from __future__ import annotations

from dataclasses import dataclass

SUPPRESSED_UP_TO = 7
SHOWN_AS = 5
ROUND_TO = 5
MINIMUM_DENOMINATOR = 10


def disclose(count: int) -> int:
    """The count as it may be published."""
    if count < 0:
        raise ValueError(f"a count cannot be negative ({count})")
    if count == 0:
        return 0
    if count <= SUPPRESSED_UP_TO:
        return SHOWN_AS
    return int((count + ROUND_TO // 2) // ROUND_TO * ROUND_TO)


def is_suppressed(count: int) -> bool:
    return 0 < count <= SUPPRESSED_UP_TO


@dataclass(frozen=True)
class DisclosedRate:
    numerator: int
    denominator: int
    rate: float | None  # None: not shown
    numerator_suppressed: bool
    reason: str | None = None  # why the rate is not shown


def disclose_rate(numerator: int, denominator: int, multiplier: float = 100) -> DisclosedRate:
    """Published counts and rate. `multiplier` 100 is a percentage (from the rounded counts);
    any other (1,000 for rare events) uses the unrounded counts."""
    shown_numerator, shown_denominator = disclose(numerator), disclose(denominator)
    suppressed = is_suppressed(numerator)
    if denominator < MINIMUM_DENOMINATOR:
        return DisclosedRate(
            shown_numerator, shown_denominator, None, suppressed, "denominator under 10"
        )
    if suppressed:
        return DisclosedRate(shown_numerator, shown_denominator, None, True, "numerator under 8")
    if multiplier == 100:
        rate = shown_numerator / shown_denominator * 100
    else:
        rate = numerator / denominator * multiplier
    return DisclosedRate(shown_numerator, shown_denominator, rate, suppressed)
