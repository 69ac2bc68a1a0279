"""The plain-language line under a chart: what the latest months show, in words a clinician
would use. Pure: it reads the months of a series as the service publishes them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dashboard.theme import RULE_WORDS

SPECIAL = {
    "special_cause_concern": "a concern",
    "special_cause_improvement": "an improvement",
    "special_cause_neutral_high": "a change upwards",
    "special_cause_neutral_low": "a change downwards",
}
TRIAL_POINTS = 13


def describe_chart(months: Sequence[dict[str, Any]], title: str) -> str:
    """One or two sentences on the latest signal of a chart (months oldest first)."""
    charted = [m for m in months if m.get("centre") is not None]
    if not charted:
        return f"{title}: there are not enough months with data to draw a chart yet."
    latest = charted[-1]
    run = _latest_run(charted)
    kind = latest.get("point_type") or "common_cause"
    sentences = []
    if kind in SPECIAL and run:
        rule = latest.get("rule")
        side = _side(charted[-run:])
        if rule == "shift" or (rule is None and side):
            sentences.append(
                f"The last {run} months are all {side or 'on one side of'} the average: this is "
                f"unlikely to be "
                f"chance, and suggests {SPECIAL[kind]}."
            )
        elif rule == "trend":
            sentences.append(
                f"The last {run} months have risen or fallen in a row: this is unlikely to be "
                f"chance, and suggests {SPECIAL[kind]}."
            )
        else:
            sentences.append(
                f"{latest['period']} shows {RULE_WORDS.get(rule or '', 'a signal')}: this is "
                f"unlikely to be chance, and suggests {SPECIAL[kind]}."
            )
    else:
        sentences.append(
            f"In {latest['period']} the rate is within the range expected by chance: "
            "no sign of a real change."
        )
        recent = _recent_signal(charted)
        if recent is not None:
            sentences.append(
                f"The chart last signalled {SPECIAL[recent['point_type']]} in {recent['period']}."
            )
    if len(charted) < TRIAL_POINTS:
        sentences.append(
            f"With only {len(charted)} months, the limits are trial limits and may change."
        )
    return " ".join(sentences)


def _latest_run(months: Sequence[dict[str, Any]]) -> int:
    """How many of the latest months share the latest point's special-cause type."""
    kind = months[-1].get("point_type")
    if kind not in SPECIAL:
        return 0
    count = 0
    for month in reversed(months):
        if month.get("point_type") != kind:
            break
        count += 1
    return count


def _side(months: Sequence[dict[str, Any]]) -> str:
    rates = [(m.get("rate"), m.get("centre")) for m in months]
    shown = [(r, c) for r, c in rates if r is not None and c is not None]
    if shown and all(r > c for r, c in shown):
        return "above"
    if shown and all(r < c for r, c in shown):
        return "below"
    return ""


def _recent_signal(months: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    return next((m for m in reversed(months) if m.get("point_type") in SPECIAL), None)
