"""The declared search parameters (`parameters.yaml`), loaded once and checked on load."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

import yaml

ParameterType = Literal["token", "reference", "date", "string"]
PARAMETER_TYPES: tuple[str, ...] = ("token", "reference", "date", "string")


@dataclass(frozen=True)
class SearchParameter:
    name: str
    type: ParameterType
    # Element paths indexed for the parameter, or a column of `fhir_resource` (`_id`, …).
    paths: tuple[str, ...] = ()
    column: str | None = None
    targets: tuple[str, ...] = ()
    description: str = ""
    # Another parameter whose index rows this one reads (narrowed to `targets`).
    alias_of: str | None = None

    @property
    def indexed_as(self) -> str:
        """The parameter name its index rows are stored under."""
        return self.alias_of or self.name


class SearchDefinitionError(ValueError):
    pass


@cache
def search_parameters() -> dict[str, dict[str, SearchParameter]]:
    """Parameters by resource type and name; the `every_type` ones are merged into each type."""
    text = resources.files("service.search").joinpath("parameters.yaml").read_text()
    return parse_parameters(yaml.safe_load(text))


def parameters_for(resource_type: str) -> dict[str, SearchParameter]:
    return search_parameters().get(resource_type, {})


def parse_parameters(
    document: dict[str, dict[str, dict[str, object]]],
) -> dict[str, dict[str, SearchParameter]]:
    common = {
        name: _parameter("every_type", name, spec)
        for name, spec in document.get("every_type", {}).items()
    }
    declared: dict[str, dict[str, SearchParameter]] = {}
    for resource_type, parameters in document.items():
        if resource_type == "every_type":
            continue
        declared[resource_type] = {
            **common,
            **{name: _parameter(resource_type, name, spec) for name, spec in parameters.items()},
        }
        for parameter in declared[resource_type].values():
            aliased = declared[resource_type].get(parameter.alias_of or "")
            if parameter.alias_of and (aliased is None or aliased.type != "reference"):
                raise SearchDefinitionError(
                    f"search parameter {resource_type}.{parameter.name}: alias_of must name "
                    "another reference parameter of the type"
                )
    return declared


def _parameter(resource_type: str, name: str, spec: dict[str, object]) -> SearchParameter:
    where = f"search parameter {resource_type}.{name}"
    kind = spec.get("type")
    if kind not in PARAMETER_TYPES:
        raise SearchDefinitionError(f"{where}: type must be one of {PARAMETER_TYPES}, not {kind!r}")
    paths = tuple(str(path) for path in spec.get("paths", ()))  # type: ignore[attr-defined]
    column = spec.get("column")
    alias_of = spec.get("alias_of")
    if sum(bool(source) for source in (paths, column, alias_of)) != 1:
        raise SearchDefinitionError(f"{where}: give one of paths, column or alias_of")
    targets = tuple(str(t) for t in spec.get("targets", ()))  # type: ignore[attr-defined]
    if targets and kind != "reference":
        raise SearchDefinitionError(f"{where}: only a reference parameter has targets")
    return SearchParameter(
        name=name,
        type=kind,  # type: ignore[arg-type]
        paths=paths,
        column=str(column) if column else None,
        targets=targets,
        description=str(spec.get("description", "")),
        alias_of=str(alias_of) if alias_of else None,
    )
