"""The indicator catalogue (catalogue.yaml) as typed, validated definitions.

Validation runs on load, against the fields of the analytic projection, so a typo in the file is
one clear error naming the indicator and the field rather than a wrong rate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml

from fhir_mappings.ethnicity import ETHNIC_CATEGORIES
from service.indicators.conditions import ConditionError, check, fields_of
from service.indicators.errors import NotFoundError
from service.indicators.projection_frames import FIELDS_BY_TABLE

CATALOGUE_FILE = Path(__file__).with_name("catalogue.yaml")
Better = Literal["lower", "higher", "neutral"]
IMPROVEMENT = {"lower": "decrease", "higher": "increase", "neutral": "neutral"}


@dataclass(frozen=True)
class Unit:
    id: str
    table: Literal["births", "contacts"]
    period: str
    one_row_per: str | None = None


@dataclass(frozen=True)
class Stratification:
    id: str
    title: str
    column: str | None = None  # None: everyone together
    reference: str | None = None
    order: tuple[str, ...] = ()
    gradient: bool = False  # ordered deprivation quantiles: SII and RII
    splits: Literal["both", "numerator"] = "both"
    # Each group in words, as users read it (the NHS Data Dictionary's, where it has them).
    names: Mapping[str, str] = field(default_factory=dict)

    def name_of(self, stratum: str, *, with_code: bool = False) -> str:
        """The group in words; with `with_code`, its code beside it where the two differ
        ("Polish (pl)"). A group with no name given is its own words ("Not recorded")."""
        name = self.names.get(stratum, stratum)
        return f"{name} ({stratum})" if with_code and name != stratum else name


@dataclass(frozen=True)
class Target:
    value: float  # in the indicator's unit (per 100 or per 1,000)
    source: str  # whose ambition, and when


@dataclass(frozen=True)
class Indicator:
    id: str
    title: str
    description: str
    unit: Unit
    population: dict[str, Any]
    numerator: dict[str, Any]
    per: int
    better: Better
    topic: str
    sources: tuple[str, ...]
    gate_fields: tuple[str, ...] = ()
    denominator: dict[str, Any] = field(default_factory=dict)
    matures_after_months: int = 0
    # The months its groups are compared over, where not the catalogue's summary window: a rare
    # outcome needs years to compare groups at all (None: the summary window).
    window_months: int | None = None
    extra_stratifications: tuple[str, ...] = ()
    target: Target | None = None

    @property
    def improvement(self) -> str:
        return IMPROVEMENT[self.better]

    @property
    def unit_label(self) -> str:
        return "%" if self.per == 100 else f"per {self.per:,}"


@dataclass(frozen=True)
class Catalogue:
    method_version: str
    completeness_threshold: float
    summary_window_months: int

    def window_of(self, indicator_id: str) -> int:
        """The months an indicator's groups are compared over."""
        indicator = self.indicators.get(indicator_id)
        custom = indicator.window_months if indicator else None
        return custom or self.summary_window_months

    units: dict[str, Unit]
    stratifications: dict[str, Stratification]
    indicators: dict[str, Indicator]

    def indicator(self, indicator_id: str) -> Indicator:
        try:
            return self.indicators[indicator_id]
        except KeyError:
            raise NotFoundError(f"unknown indicator {indicator_id!r}") from None

    def stratifications_of(self, indicator: Indicator, columns: set[str]) -> list[Stratification]:
        """The cuts an indicator is computed by: the general ones its unit's table can give,
        and its own extras."""
        return [
            s
            for s in self.stratifications.values()
            if (s.column is None or s.column in columns)
            and (s.splits == "both" or s.id in indicator.extra_stratifications)
        ]

    def fields_read(self) -> dict[str, set[str]]:
        """Per projection table, every field an indicator or a stratification reads."""
        fields: dict[str, set[str]] = {}
        for indicator in self.indicators.values():
            unit = indicator.unit
            wanted = fields.setdefault(unit.table, set())
            for condition in (indicator.population, indicator.denominator, indicator.numerator):
                wanted.update(fields_of(condition))
            wanted.update(indicator.gate_fields)
            wanted.add(unit.period)
            if unit.one_row_per:
                wanted.update((unit.one_row_per, "birth_order"))
            wanted.update(s.column for s in self.stratifications.values() if s.column)
        return fields


class CatalogueError(ValueError):
    """The catalogue file cannot be used; the message names the entry and the reason."""


def parse(document: dict[str, Any], fields_by_table: dict[str, set[str]]) -> Catalogue:
    try:
        units = {
            name: Unit(id=name, **spec) for name, spec in (document.get("units") or {}).items()
        }
        stratifications = {
            name: Stratification(
                id=name,
                title=spec["title"],
                column=spec.get("column"),
                reference=None if spec.get("reference") is None else str(spec["reference"]),
                order=tuple(str(v) for v in spec.get("order") or ()),
                gradient=bool(spec.get("gradient", False)),
                splits=spec.get("splits", "both"),
                names=_group_names(name, spec),
            )
            for name, spec in (document.get("stratifications") or {}).items()
        }
    except (TypeError, KeyError) as error:
        raise CatalogueError(f"units or stratifications: {error}") from error
    indicators: dict[str, Indicator] = {}
    for position, spec in enumerate(document.get("indicators") or []):
        indicator = _indicator(spec, position, units, stratifications, fields_by_table)
        if indicator.id in indicators:
            raise CatalogueError(f"indicator {indicator.id!r} is declared twice")
        indicators[indicator.id] = indicator
    return Catalogue(
        method_version=str(document["method_version"]),
        completeness_threshold=float(document["completeness_threshold"]),
        summary_window_months=int(document["summary_window_months"]),
        units=units,
        stratifications=stratifications,
        indicators=indicators,
    )


def _indicator(
    spec: dict[str, Any],
    position: int,
    units: dict[str, Unit],
    stratifications: dict[str, Stratification],
    fields_by_table: dict[str, set[str]],
) -> Indicator:
    where = f"indicator {spec.get('id', f'#{position + 1}')}"
    try:
        unit = units[spec["unit"]]
        indicator = Indicator(
            id=spec["id"],
            title=spec["title"],
            description=spec["description"],
            unit=unit,
            population=dict(spec.get("population") or {}),
            numerator=dict(spec["numerator"]),
            per=int(spec["per"]),
            better=spec["better"],
            topic=spec["topic"],
            sources=tuple(spec.get("sources") or ()),
            gate_fields=tuple(spec.get("gate_fields") or ()),
            denominator=dict(spec.get("denominator") or {}),
            matures_after_months=int(spec.get("matures_after_months", 0)),
            window_months=None if spec.get("window_months") is None else int(spec["window_months"]),
            extra_stratifications=tuple(spec.get("extra_stratifications") or ()),
            target=_target(spec.get("target"), where),
        )
    except KeyError as error:
        raise CatalogueError(f"{where}: missing or unknown {error}") from error
    if indicator.per not in (100, 1000):
        raise CatalogueError(f"{where}: per must be 100 or 1000")
    if indicator.better not in IMPROVEMENT:
        raise CatalogueError(f"{where}: better must be lower, higher or neutral")
    fields = fields_by_table[unit.table]
    try:
        for part in ("population", "denominator", "numerator"):
            check(getattr(indicator, part), fields, f"{where}: {part}")
        check(dict.fromkeys(indicator.gate_fields), fields, f"{where}: gate_fields")
    except ConditionError as error:
        raise CatalogueError(str(error)) from error
    for extra in indicator.extra_stratifications:
        if extra not in stratifications:
            raise CatalogueError(f"{where}: unknown stratification {extra!r}")
    if indicator.target is not None and indicator.better == "neutral":
        raise CatalogueError(f"{where}: a target needs a direction (better: lower or higher)")
    return indicator


def _target(spec: Any, where: str) -> Target | None:
    if spec is None:
        return None
    value = spec.get("value") if isinstance(spec, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise CatalogueError(f"{where}: target: value must be a number of 0 or more")
    if not isinstance(spec.get("source"), str) or not spec["source"].strip():
        raise CatalogueError(f"{where}: target: source must say whose ambition it is")
    return Target(float(value), spec["source"].strip())


@cache
def load_catalogue(path: Path = CATALOGUE_FILE) -> Catalogue:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise CatalogueError(f"{path}: {error}") from error
    return parse(document, FIELDS_BY_TABLE)


def _group_names(stratification: str, spec: dict[str, Any]) -> dict[str, str]:
    """The names a stratification's spec gives; ethnic categories take the Data Dictionary's
    ("Asian or Asian British: Pakistani")."""
    names = {str(k): str(v) for k, v in (spec.get("names") or {}).items()}
    if spec.get("column") == "ethnic_category":
        names = {
            code: words.replace(" - ", ": ", 1) for code, words in ETHNIC_CATEGORIES.items()
        } | names
    return names
