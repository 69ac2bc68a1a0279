"""Sign-in throttling, pure: after too many failures for one user name or from one address in
a window, further attempts wait. The attempts are stored (so every worker process sees them);
this decides from them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

WINDOW = timedelta(minutes=15)
MOST_FAILURES = 5


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after_seconds: int = 0


def may_try(failures: Sequence[datetime], now: datetime) -> Verdict:
    """`failures`: the times of failed attempts (for the name or the address), any order."""
    recent = sorted(t for t in failures if now - t < WINDOW)
    if len(recent) < MOST_FAILURES:
        return Verdict(True)
    # Free again once the oldest failure that keeps the count at the limit leaves the window.
    frees_at = recent[-MOST_FAILURES] + WINDOW
    return Verdict(False, max(1, int((frees_at - now).total_seconds() + 0.999)))
