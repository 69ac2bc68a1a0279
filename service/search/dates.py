"""FHIR dates as the ranges they stand for: `2024-03` is the whole of March 2024, so every date
is indexed and searched as a half-open interval [low, high) of UTC instants (FHIR R4 §3.1.1.4.2).
A value without a time zone is read as UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache

EARLIEST = datetime(1, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)

_DATE = re.compile(
    r"^(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2})"
    r"(?:T(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d+))?)?"
    r"(?P<zone>Z|[+-]\d{2}:\d{2})?)?)?)?$"
)


@lru_cache(maxsize=65_536)  # the same dates recur across a family's many resources
def date_range(text: str) -> tuple[datetime, datetime]:
    """[low, high) of a FHIR date, dateTime or instant; ValueError if it is none of them."""
    match = _DATE.match(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a FHIR date (YYYY, YYYY-MM, YYYY-MM-DD or a dateTime)")
    parts = match.groupdict()
    year = int(parts["year"])
    if parts["month"] is None:
        return datetime(year, 1, 1, tzinfo=UTC), _clamp(year + 1, 1)
    month = int(parts["month"])
    if parts["day"] is None:
        low = datetime(year, month, 1, tzinfo=UTC)
        return low, _clamp(year + (month == 12), month % 12 + 1)
    day = datetime(year, month, int(parts["day"]), tzinfo=UTC)
    if parts["hour"] is None:
        return day, day + timedelta(days=1)
    zone = UTC if parts["zone"] in (None, "Z") else _offset(parts["zone"])
    low = day.replace(
        hour=int(parts["hour"]),
        minute=int(parts["minute"]),
        second=int(parts["second"] or 0),
        microsecond=int((parts["fraction"] or "0")[:6].ljust(6, "0")),
        tzinfo=zone,
    ).astimezone(UTC)
    precision = (
        timedelta(minutes=1)
        if parts["second"] is None
        else timedelta(seconds=1)
        if parts["fraction"] is None
        else timedelta(microseconds=1)
    )
    return low, low + precision


def period_range(period: dict[str, str]) -> tuple[datetime, datetime]:
    """A Period: open at either end when that end is missing."""
    low = date_range(period["start"])[0] if period.get("start") else EARLIEST
    high = date_range(period["end"])[1] if period.get("end") else LATEST
    return low, high


def _clamp(year: int, month: int) -> datetime:
    return LATEST if year > 9999 else datetime(year, month, 1, tzinfo=UTC)


def _offset(zone: str) -> tzinfo:
    sign = 1 if zone[0] == "+" else -1
    hours, minutes = zone[1:].split(":")
    return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))
