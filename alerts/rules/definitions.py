"""The alert rules (rules.yaml) as typed, validated definitions: a mistake is one error naming
the rule and the field."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

RULES_FILE = Path(__file__).with_name("rules.yaml")
Kind = Literal["special_cause", "disparity", "data_quality"]
Severity = Literal["high", "medium", "low"]
KINDS = ("special_cause", "disparity", "data_quality")
SEVERITIES = ("high", "medium", "low")


class RuleError(ValueError):
    """A rules file the engine cannot use; the message names the rule and the field."""


@dataclass(frozen=True)
class AlertRule:
    id: str
    kind: Kind
    stratifications: str | tuple[str, ...]  # "overall", "strata" or stratification ids
    severity: Severity
    summary: str
    firing_after: int = 1
    resolve_after: int = 1
    lookback_periods: int = 1
    point_type: str | None = None
    traffic_light: str | None = None
    holds_back: tuple[str, ...] = ()
    # Which series of a stratification it reads: its groups, or its deprivation gradient.
    series: Literal["groups", "gradient"] = "groups"
    # Which chart a special-cause rule reads: the group's own rate, or its gap to the reference.
    chart: Literal["rate", "gap"] = "rate"

    def watches(self, stratification: str) -> bool:
        if self.stratifications == "overall":
            return stratification == "overall"
        if self.stratifications == "strata":
            return stratification != "overall"
        return stratification in self.stratifications


def parse_rules(document: dict[str, Any]) -> dict[str, AlertRule]:
    rules: dict[str, AlertRule] = {}
    for position, spec in enumerate(document.get("rules") or []):
        where = f"rule {spec.get('id', f'#{position + 1}')}"
        try:
            watched = spec["stratifications"]
            rule = AlertRule(
                id=str(spec["id"]),
                kind=spec["kind"],
                stratifications=watched if isinstance(watched, str) else tuple(watched),
                severity=spec["severity"],
                summary=str(spec["summary"]),
                firing_after=int(spec.get("firing_after", 1)),
                resolve_after=int(spec.get("resolve_after", 1)),
                lookback_periods=int(spec.get("lookback_periods", 1)),
                point_type=spec.get("point_type"),
                traffic_light=spec.get("traffic_light"),
                holds_back=tuple(spec.get("holds_back") or ()),
                series=spec.get("series", "groups"),
                chart=spec.get("chart", "rate"),
            )
        except KeyError as error:
            raise RuleError(f"{where}: missing {error}") from None
        except (TypeError, ValueError) as error:
            raise RuleError(f"{where}: {error}") from None
        _check(rule, where)
        if rule.id in rules:
            raise RuleError(f"{where}: declared twice")
        rules[rule.id] = rule
    for rule in rules.values():
        unknown = set(rule.holds_back) - set(rules)
        if unknown:
            raise RuleError(f"rule {rule.id}: holds_back names unknown rules {sorted(unknown)}")
    return rules


def _check(rule: AlertRule, where: str) -> None:
    if rule.kind not in KINDS:
        raise RuleError(f"{where}: kind must be one of {', '.join(KINDS)}")
    if rule.severity not in SEVERITIES:
        raise RuleError(f"{where}: severity must be one of {', '.join(SEVERITIES)}")
    if rule.kind == "special_cause" and not rule.point_type:
        raise RuleError(f"{where}: a special_cause rule needs point_type")
    if rule.kind == "disparity" and not rule.traffic_light:
        raise RuleError(f"{where}: a disparity rule needs traffic_light")
    if rule.chart not in ("rate", "gap"):
        raise RuleError(f"{where}: chart is rate or gap")
    if rule.series not in ("groups", "gradient"):
        raise RuleError(f"{where}: series is groups or gradient")
    if rule.firing_after < 1 or rule.resolve_after < 1 or rule.lookback_periods < 1:
        raise RuleError(f"{where}: firing_after, resolve_after and lookback_periods are at least 1")
    if isinstance(rule.stratifications, str) and rule.stratifications not in ("overall", "strata"):
        raise RuleError(f"{where}: stratifications is overall, strata or a list of ids")


def load_rules(path: Path = RULES_FILE) -> dict[str, AlertRule]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise RuleError(f"{path}: {error}") from None
    return parse_rules(document or {})
