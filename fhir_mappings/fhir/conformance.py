"""What the product checks in a FHIR resource beyond its structure (pure; `$validate` and the
API use it). fhir.resources checks structure only; these are the rules the product relies on:
required bindings, reference target types, NHS number check digits, and the values of the UK
Core extensions it reads. Declared as tables; `check_resource` interprets them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from fhir_mappings import nhs_number
from fhir_mappings.ethnicity import ETHNIC_CATEGORIES, ETHNIC_CATEGORY_SYSTEM
from fhir_mappings.fhir import codes
from fhir_mappings.fhir.naming import NHS_NUMBER_SYSTEM

# Required bindings (FHIR R4 value sets) on the elements the product reads.
REQUIRED_BINDINGS: dict[str, frozenset[str]] = {
    "Patient.gender": frozenset({"male", "female", "other", "unknown"}),
    "Encounter.status": frozenset(
        {
            "planned",
            "arrived",
            "triaged",
            "in-progress",
            "onleave",
            "finished",
            "cancelled",
            "entered-in-error",
            "unknown",
        }
    ),
    "Observation.status": frozenset(
        {
            "registered",
            "preliminary",
            "final",
            "amended",
            "corrected",
            "cancelled",
            "entered-in-error",
            "unknown",
        }
    ),
    "Procedure.status": frozenset(
        {
            "preparation",
            "in-progress",
            "not-done",
            "on-hold",
            "stopped",
            "completed",
            "entered-in-error",
            "unknown",
        }
    ),
    "ServiceRequest.status": frozenset(
        {"draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"}
    ),
    "ServiceRequest.intent": frozenset(
        {
            "proposal",
            "plan",
            "directive",
            "order",
            "original-order",
            "reflex-order",
            "filler-order",
            "instance-order",
            "option",
        }
    ),
}
# The resource types a reference may point at (FHIR R4's own target lists).
REFERENCE_TARGETS: dict[str, frozenset[str]] = {
    "RelatedPerson.patient": frozenset({"Patient"}),
    "Encounter.subject": frozenset({"Patient", "Group"}),
    "Observation.subject": frozenset({"Patient", "Group", "Device", "Location"}),
    "Observation.encounter": frozenset({"Encounter"}),
    "Condition.subject": frozenset({"Patient", "Group"}),
    "Condition.encounter": frozenset({"Encounter"}),
    "Procedure.subject": frozenset({"Patient", "Group"}),
    "Procedure.encounter": frozenset({"Encounter"}),
    "ServiceRequest.subject": frozenset({"Patient", "Group", "Location", "Device"}),
    "ServiceRequest.encounter": frozenset({"Encounter"}),
}


@dataclass(frozen=True)
class ExtensionRule:
    value_element: str
    system: str | None = None
    codes: frozenset[str] = frozenset()


# The UK Core (and core FHIR) extensions the product reads, and what each must hold.
EXTENSION_RULES: dict[str, ExtensionRule] = {
    codes.ETHNIC_CATEGORY_EXTENSION: ExtensionRule(
        "valueCodeableConcept", ETHNIC_CATEGORY_SYSTEM, frozenset(ETHNIC_CATEGORIES)
    ),
    codes.INTERPRETER_REQUIRED_EXTENSION: ExtensionRule("valueBoolean"),
    codes.BIRTH_TIME_EXTENSION: ExtensionRule("valueDateTime"),
}

Severity = Literal["error", "warning", "information"]


@dataclass(frozen=True)
class Issue:
    severity: Severity
    code: str  # an OperationOutcome issue type: structure, code-invalid, value, …
    expression: str
    diagnostics: str

    def as_fhir(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "code": self.code,
            "expression": [self.expression],
            "diagnostics": self.diagnostics,
        }


def check_resource(resource: dict[str, Any]) -> list[Issue]:
    """Every problem found, structure first; an empty list means the resource conforms."""
    resource_type = str(resource.get("resourceType"))
    try:
        model = get_fhir_model_class(resource_type)
    except ValueError:
        return [
            Issue(
                "error",
                "structure",
                "resourceType",
                f"{resource_type!r} is not a FHIR resource type",
            )
        ]
    return [*_structure(model, resource), *conformance_issues(resource)]


def conformance_issues(resource: dict[str, Any]) -> list[Issue]:
    """The product's rules beyond what the structure definitions check: FHIR's ban on empty
    elements, required bindings, reference target types, NHS numbers and UK Core extensions."""
    resource_type = str(resource.get("resourceType"))
    return [
        *_empty_elements(resource, resource_type),
        *_bindings(resource),
        *_references(resource),
        *_identifiers(resource),
        *_extensions(resource, resource_type, resource.get("extension")),
    ]


def _empty_elements(node: Any, path: str) -> Iterator[Issue]:
    # FHIR JSON (R4 §2.6.2): arrays and objects are never empty; a required list with no
    # entries, such as a Provenance's target, would otherwise pass fhir.resources.
    if isinstance(node, dict):
        items: Any = node.items()
    elif isinstance(node, list):
        items = enumerate(node)
    else:
        return
    for key, value in items:
        where = f"{path}[{key}]" if isinstance(node, list) else f"{path}.{key}"
        if isinstance(value, dict | list) and not value:
            yield Issue("error", "structure", where, "an element may not be empty")
        else:
            yield from _empty_elements(value, where)


def _structure(model: Any, resource: dict[str, Any]) -> Iterator[Issue]:
    try:
        model.model_validate(resource)
    except ValidationError as error:
        for problem in error.errors():
            path = ".".join(str(part) for part in problem["loc"])
            message = problem["msg"].removeprefix("Value error, ")
            yield Issue(
                "error", "structure", f"{resource['resourceType']}.{path}".rstrip("."), message
            )


def _bindings(resource: dict[str, Any]) -> Iterator[Issue]:
    for path, allowed in REQUIRED_BINDINGS.items():
        resource_type, element = path.split(".")
        if resource["resourceType"] != resource_type or element not in resource:
            continue
        value = resource[element]
        if value not in allowed:
            yield Issue(
                "error",
                "code-invalid",
                path,
                f"{value!r} is not in the required value set ({', '.join(sorted(allowed))})",
            )


def _references(resource: dict[str, Any]) -> Iterator[Issue]:
    for path, targets in REFERENCE_TARGETS.items():
        resource_type, element = path.split(".")
        if resource["resourceType"] != resource_type:
            continue
        reference = (
            (resource.get(element) or {}).get("reference")
            if isinstance(resource.get(element), dict)
            else None
        )
        if not isinstance(reference, str) or reference.startswith(("urn:", "#")):
            continue
        target = reference.split("?", 1)[0].split("/")
        target_type = target[-2] if len(target) >= 2 else target[0]
        if target_type not in targets:
            yield Issue(
                "error",
                "value",
                f"{path}.reference",
                f"{path} must refer to {' or '.join(sorted(targets))}, not {target_type}",
            )


def _identifiers(resource: dict[str, Any]) -> Iterator[Issue]:
    for i, identifier in enumerate(resource.get("identifier") or []):
        if not isinstance(identifier, dict) or identifier.get("system") != NHS_NUMBER_SYSTEM:
            continue
        value = str(identifier.get("value", ""))
        if not nhs_number.is_valid(value):
            yield Issue(
                "error",
                "value",
                f"{resource['resourceType']}.identifier[{i}].value",
                "not a valid NHS number (10 digits with a correct check digit)",
            )


def _extensions(resource: dict[str, Any], where: str, extensions: Any) -> Iterator[Issue]:
    for i, extension in enumerate(extensions or []):
        if not isinstance(extension, dict):
            continue
        rule = EXTENSION_RULES.get(str(extension.get("url")))
        if rule is None:
            continue
        path = f"{where}.extension[{i}]"
        if rule.value_element not in extension:
            yield Issue("error", "required", path, f"{extension['url']} needs {rule.value_element}")
            continue
        if rule.system is None:
            continue
        codings = extension[rule.value_element].get("coding", [])
        known = [
            c for c in codings if c.get("system") == rule.system and c.get("code") in rule.codes
        ]
        if not known:
            yield Issue(
                "error",
                "code-invalid",
                f"{path}.{rule.value_element}",
                f"needs a code of {rule.system}",
            )
    # Elements that carry extensions of their own (birthDate's birth time).
    for element, value in resource.items():
        if element.startswith("_") and isinstance(value, dict):
            yield from _extensions(value, f"{where}.{element}", value.get("extension"))
