"""Silences: mute the alerts their matchers select, from `starts_at` until `ends_at`. The alert
still changes state and is recorded; only its notices are held back."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

MATCHABLE = ("fingerprint", "rule", "indicator", "stratification", "stratum", "severity")


@dataclass(frozen=True)
class SilenceWindow:
    id: int
    matchers: Mapping[str, str]
    starts_at: datetime
    ends_at: datetime

    def mutes(self, labels: Mapping[str, str], now: datetime) -> bool:
        if not self.starts_at <= now < self.ends_at:
            return False
        return all(labels.get(name) == value for name, value in self.matchers.items())


def check_matchers(matchers: Mapping[str, str]) -> None:
    """A silence must match on something, and only on what alerts carry."""
    if not matchers:
        raise ValueError("matchers: give at least one of " + ", ".join(MATCHABLE))
    for name, value in matchers.items():
        if name not in MATCHABLE:
            raise ValueError(f"matchers: {name!r} is not one of {', '.join(MATCHABLE)}")
        if not isinstance(value, str) or not value:
            raise ValueError(f"matchers: {name} must be a non-empty string")


def muting(
    silences: Iterable[SilenceWindow], labels: Mapping[str, str], now: datetime
) -> int | None:
    """The id of the first silence muting an alert with these labels, if any."""
    return next((s.id for s in silences if s.mutes(labels, now)), None)
