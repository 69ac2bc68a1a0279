"""The triage policy (`alerts/rules/triage.yaml`) as typed, validated data: a mistake is one
error naming the section and the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from alerts.rules.definitions import AlertRule, RuleError

POLICY_FILE = Path(__file__).parent.parent / "rules" / "triage.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Family(_Strict):
    q: float = Field(0.05, gt=0, lt=1)


class Level(_Strict):
    """A finer stratification's groups under a coarser one's: parent group → child groups;
    `otherwise` names the parent of every child group not listed."""

    child: str
    parent: str
    groups: dict[str, tuple[str, ...]]
    otherwise: str | None = None

    def parent_of(self, child_group: str) -> str | None:
        for parent, children in self.groups.items():
            if child_group in children:
                return parent
        return self.otherwise


class Merge(_Strict):
    """Alerts of these rules whose labels `by` are equal are one alert, carried by the one of
    highest priority: a planted rise in one group shows as its special cause, its gap and its
    disparity, and across the stratifications that hold it."""

    rules: tuple[str, ...] = Field(min_length=1)
    by: tuple[str, ...] = ("indicator_id",)


class Inhibition(_Strict):
    source: str
    target: tuple[str, ...] = Field(min_length=1)
    equal: tuple[str, ...] = ("indicator_id",)


class Effect(_Strict):
    min_ratio: float | None = Field(None, ge=1)
    min_difference: float | None = Field(None, ge=0)


class Effects(_Strict):
    default: Effect = Effect(min_ratio=1.25)
    indicators: dict[str, Effect] = Field(default_factory=dict)

    def of(self, indicator_id: str) -> Effect:
        return self.indicators.get(indicator_id, self.default)


class Persistence(_Strict):
    windows: int = Field(3, ge=1)
    at_least: int = Field(2, ge=1)

    @model_validator(mode="after")
    def _within(self) -> Persistence:
        if self.at_least > self.windows:
            raise ValueError("at_least cannot exceed windows")
        return self


class Priority(_Strict):
    severity: dict[str, float] = Field(
        default_factory=lambda: {"high": 30.0, "medium": 20.0, "low": 10.0}
    )
    effect: float = 10
    people: float = 10
    persistence: float = 10


class Digest(_Strict):
    top: int = Field(10, ge=1)


class TriagePolicy(_Strict):
    multiplicity: dict[str, Family] = Field(default_factory=dict)
    hierarchy: tuple[Level, ...] = ()
    questions: tuple[tuple[str, ...], ...] = ()
    unrecorded_groups: tuple[str, ...] = ()
    shared_denominators: bool = True
    inhibit: tuple[Inhibition, ...] = ()
    merge: tuple[Merge, ...] = ()
    effect: Effects = Effects()
    persistence: dict[str, Persistence] = Field(default_factory=dict)
    # The fewest people a group's comparison window must hold for a rule to fire on it.
    minimum_people: dict[str, int] = Field(default_factory=dict)
    # The fewest events in a group's latest 12 months: a chart of the monthly gap between
    # rates of a rare outcome (a few events a year) is noise.
    minimum_events: dict[str, int] = Field(default_factory=dict)
    priority: Priority = Priority()
    digest: Digest = Digest()

    def question_of(self, stratification: str) -> str:
        """The stratification whose question this one's groups answer (itself if none)."""
        for question in self.questions:
            if stratification in question:
                return question[0]
        return stratification


def parse_policy(document: dict[str, Any], rules: dict[str, AlertRule]) -> TriagePolicy:
    try:
        policy = TriagePolicy(**document)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise RuleError(f"triage policy: {where}: {first['msg']}") from None
    named = [*policy.multiplicity, *policy.persistence, *policy.minimum_people]
    named += [*policy.minimum_events, *(r for m in policy.merge for r in m.rules)]
    named += [i.source for i in policy.inhibit] + [t for i in policy.inhibit for t in i.target]
    unknown = sorted(set(named) - set(rules))
    if unknown:
        raise RuleError(f"triage policy: names rules that rules.yaml does not declare: {unknown}")
    return policy


def load_policy(rules: dict[str, AlertRule], path: Path = POLICY_FILE) -> TriagePolicy:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise RuleError(f"{path}: {error}") from None
    return parse_policy(document or {}, rules)
