"""The last check before a payload is queued: nothing in it may look like an NHS number, a
date of birth or a postcode. Messages carry aggregates only; this catches a regression (a
field added to the evidence, a name in a stratum) before it leaves the building."""

from __future__ import annotations

import re

# Delimited like a number in prose: a digit run inside a hex key or a decimal is not one.
NHS_NUMBER = re.compile(r"(?<![\w.])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\w.])")
# Bare calendar dates (a date of birth looks like one); timestamps with a time are not.
CALENDAR_DATE = re.compile(
    r"(?<!\d)(\d{4}-\d{2}-\d{2})(?![\dT])|(?<!\d)(\d{1,2}/\d{1,2}/\d{2,4})(?!\d)"
)
POSTCODE = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?) ?(\d[A-Z]{2})\b")


class IdentifierInPayloadError(ValueError):
    """A payload held something that could identify a person; it was not queued."""


def is_valid_nhs_number(digits: str) -> bool:
    """The modulus-11 check digit of the NHS number."""
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def find_identifiers(text: str) -> list[str]:
    """What in `text` looks like an identifier, described by kind (never echoing the value)."""
    found = []
    for match in NHS_NUMBER.finditer(text):
        if is_valid_nhs_number("".join(match.groups())):
            found.append(f"an NHS number at character {match.start()}")
    found += [f"a date at character {m.start()}" for m in CALENDAR_DATE.finditer(text)]
    found += [f"a postcode at character {m.start()}" for m in POSTCODE.finditer(text)]
    return found


def ensure_no_identifiers(text: str, where: str) -> None:
    found = find_identifiers(text)
    if found:
        raise IdentifierInPayloadError(f"{where}: not queued, it holds {', '.join(found[:3])}")
