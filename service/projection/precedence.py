"""The reconciliation rules (`precedence.yaml`): which source wins per field and what counts as
a disagreement. Loaded and validated once; a bad file fails with the field and the reason."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from fhir_mappings.fhir.reading import OTHER_SOURCE
from service.errors import ConfigurationError
from service.projection.facts import RECONCILABLE_FIELDS

DEFAULT_PRECEDENCE_FILE = Path(__file__).with_name("precedence.yaml")
SourceSystem = Literal["maternity", "neonatal", "health_visiting", "other"]
DEFAULT_ORDER: tuple[str, ...] = ("maternity", "neonatal", "health_visiting", OTHER_SOURCE)


class Tolerance(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    absolute: Annotated[float, Field(ge=0)] | None = None
    relative: Annotated[float, Field(ge=0)] | None = None
    different: bool = False


class FieldRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str
    unit: str | None = None
    precedence: list[SourceSystem]
    unknown: list[str] = []
    compare: list[SourceSystem] | None = None
    issue: str | None = None
    disagree_when: Tolerance | None = None

    def order(self) -> tuple[str, ...]:
        return (*self.precedence, *(s for s in DEFAULT_ORDER if s not in self.precedence))


class Precedence(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    fields: dict[str, FieldRule]
    version: str = ""

    @field_validator("fields")
    @classmethod
    def _known_fields(cls, fields: dict[str, FieldRule]) -> dict[str, FieldRule]:
        unknown = sorted(set(fields) - set(RECONCILABLE_FIELDS))
        if unknown:
            raise ValueError(
                f"unknown field {unknown[0]!r} (known: {', '.join(RECONCILABLE_FIELDS)})"
            )
        return fields

    def rule(self, field: str) -> FieldRule | None:
        return self.fields.get(field)

    def order(self, field: str) -> tuple[str, ...]:
        rule = self.fields.get(field)
        return rule.order() if rule else DEFAULT_ORDER


def load_precedence(path: Path | None = None) -> Precedence:
    path = path or DEFAULT_PRECEDENCE_FILE
    try:
        text = path.read_text(encoding="utf-8")
        document = yaml.safe_load(text)
    except OSError as error:
        raise ConfigurationError(f"cannot read precedence file {path}: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise ConfigurationError(
            f"precedence file {path.name} is not valid YAML: {' '.join(str(error).split())}"
        ) from None
    if not isinstance(document, dict):
        raise ConfigurationError(f"precedence file {path.name}: expected a mapping with `fields`")
    version = f"{path.name}@{hashlib.sha256(text.encode()).hexdigest()[:12]}"
    try:
        return Precedence.model_validate({**document, "version": version})
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        reason = first["msg"].removeprefix("Value error, ")
        raise ConfigurationError(f"precedence file {path.name}: {where}: {reason}") from None
