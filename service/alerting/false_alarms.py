"""Tonight's false alarms by chance alone: what the rules imply over the series stored now
(`alerts/triage/false_alarms.py` on the night's snapshots), stated beside what fired, by the
demo and by bench/null_regions.py."""

from __future__ import annotations

from sqlalchemy.orm import Session

from alerts.rules.definitions import AlertRule, load_rules
from alerts.triage.false_alarms import ChanceOfRule, chance_per_night
from alerts.triage.policy import TriagePolicy, load_policy
from service.alerting.snapshots import series_snapshots
from service.alerting.triage_inputs import references
from service.indicators.catalogue import Catalogue


def chance_tonight(
    session: Session,
    catalogue: Catalogue,
    rules: dict[str, AlertRule] | None = None,
    policy: TriagePolicy | None = None,
) -> list[ChanceOfRule]:
    rules = rules or load_rules()
    policy = policy or load_policy(rules)
    snapshots = series_snapshots(session, catalogue)
    return chance_per_night(rules, policy, snapshots, references(catalogue))


def describe_chance(chances: list[ChanceOfRule]) -> str:
    """One line: the alerts chance alone would raise tonight, in all and rule by rule."""
    total = sum(c.expected for c in chances)
    parts = ", ".join(
        f"{c.rule_id} {c.expected:.1f} ({c.watched:,} {c.unit} × {c.chance:.2%})" for c in chances
    )
    return (
        f"by chance alone (nothing changed, no group different) these rules would raise about "
        f"{total:.1f} alerts tonight before triage folds them: {parts}"
    )
