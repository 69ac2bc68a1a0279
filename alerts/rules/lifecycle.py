"""The alert lifecycle, as mature alerting systems run it: a signal makes an alert pending; it
fires after `firing_after` consecutive periods with the signal; a firing alert resolves after
`resolve_after` consecutive periods without it; a pending alert whose signal goes before it
fires is dropped. A period is counted once: evaluating the same period again changes nothing,
so re-running a job sends nothing new."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from alerts.rules.definitions import AlertRule

Status = Literal["pending", "firing", "resolved"]
Transition = Literal["pending", "fired", "resolved", "dropped", "refired"]


@dataclass(frozen=True)
class AlertState:
    fingerprint: str
    status: Status
    last_period: str  # the latest period counted
    periods_with_signal: int = 0  # consecutive, up to last_period
    periods_without_signal: int = 0


@dataclass(frozen=True)
class Step:
    state: AlertState | None  # None: no alert (never raised, or dropped)
    transition: Transition | None  # what changed, if anything


def advance(
    state: AlertState | None, rule: AlertRule, fingerprint: str, period: str, signalled: bool
) -> Step:
    """The alert after counting `period` (with or without its signal)."""
    if state is not None and period <= state.last_period:
        return Step(state, None)  # already counted: idempotent
    if state is None or state.status == "resolved":
        if not signalled:
            return Step(state, None)
        fresh = AlertState(fingerprint, "pending", period, periods_with_signal=1)
        return _maybe_fire(fresh, rule, "refired" if state is not None else None)
    if signalled:
        counted = replace(
            state,
            last_period=period,
            periods_with_signal=state.periods_with_signal + 1,
            periods_without_signal=0,
        )
        return (
            _maybe_fire(counted, rule, None) if state.status == "pending" else Step(counted, None)
        )
    if state.status == "pending":
        return Step(None, "dropped")
    quiet = replace(
        state,
        last_period=period,
        periods_with_signal=0,
        periods_without_signal=state.periods_without_signal + 1,
    )
    if quiet.periods_without_signal >= rule.resolve_after:
        return Step(replace(quiet, status="resolved"), "resolved")
    return Step(quiet, None)


def _maybe_fire(state: AlertState, rule: AlertRule, again: Transition | None) -> Step:
    if state.periods_with_signal >= rule.firing_after:
        return Step(replace(state, status="firing"), again or "fired")
    return Step(state, "pending")
