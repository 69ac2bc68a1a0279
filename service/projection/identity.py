"""Record linkage: who each Patient resource is, from the FHIR resources alone.

A Patient is a **baby** when a `RelatedPerson` with relationship MTH names it (every source
system records the mother link; another system posting FHIR does the same), else a **mother**.
Patients of the same person share a `person_key`:
- the NHS number, when known (hashed: keys are compared, never shown);
- for a baby without one, the mother's NHS number + birth date + birth order;
- for a mother without one, her first local identifier (so a maternity record still finds her);
- otherwise the Patient alone.
A baby's `family_key` is its mother's person key, so a refresh can re-project a mother's births
and contacts together.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from fhir_mappings.fhir.naming import NHS_NUMBER_SYSTEM
from fhir_mappings.fhir.reading import reference_id, source_system

Role = Literal["mother", "baby"]
# The family of a baby whose record names no mother (a CSDS child, a neonatal record without
# the mother's number): its own, until another record of the same baby names her.
MOTHERLESS_FAMILY = "baby:"
MOTHER_RELATIONSHIP = "MTH"


@dataclass(frozen=True)
class Identity:
    patient_id: str
    source_system: str
    role: Role
    person_key: str
    family_key: str


def identities(resources: Iterable[dict[str, Any]]) -> list[Identity]:
    """Identities of the Patients among `resources`, using the MTH RelatedPersons among them."""
    patients: list[dict[str, Any]] = []
    mother_links: dict[str, dict[str, Any]] = {}
    for resource in resources:
        if resource["resourceType"] == "Patient":
            patients.append(resource)
        elif resource["resourceType"] == "RelatedPerson" and _is_mother_link(resource):
            baby_id = reference_id(resource.get("patient"), "Patient")
            if baby_id:
                mother_links[baby_id] = resource
    return [_identity(p, mother_links.get(p["id"])) for p in patients]


def _identity(patient: dict[str, Any], mother_link: dict[str, Any] | None) -> Identity:
    source = source_system(patient)
    own_nhs = nhs_number(patient)
    if mother_link is None:
        key = (
            _key("nhs", own_nhs)
            if own_nhs
            else _local_key(patient.get("identifier")) or f"patient:{patient['id']}"
        )
        return Identity(patient["id"], source, "mother", key, key)
    mother_nhs = nhs_number(mother_link)
    mother_key = (
        _key("nhs", mother_nhs) if mother_nhs else _local_key(mother_link.get("identifier"))
    )
    if own_nhs:
        person = _key("nhs", own_nhs)
    elif mother_nhs and patient.get("birthDate"):
        order = patient.get("multipleBirthInteger") or 1
        person = _key("birth", f"{mother_nhs}|{patient['birthDate'][:10]}|{order}")
    else:
        person = f"patient:{patient['id']}"
    family = mother_key or f"{MOTHERLESS_FAMILY}{person}"
    return Identity(patient["id"], source, "baby", person, family)


def nhs_number(resource: dict[str, Any]) -> str | None:
    for identifier in resource.get("identifier") or []:
        if identifier.get("system") == NHS_NUMBER_SYSTEM and identifier.get("value"):
            return str(identifier["value"])
    return None


def _is_mother_link(resource: dict[str, Any]) -> bool:
    return any(
        coding.get("code") == MOTHER_RELATIONSHIP
        for concept in resource.get("relationship") or []
        for coding in concept.get("coding") or []
    )


def _local_key(identifiers: list[dict[str, Any]] | None) -> str | None:
    for identifier in identifiers or []:
        if identifier.get("system") != NHS_NUMBER_SYSTEM and identifier.get("value"):
            return _key("id", f"{identifier.get('system')}|{identifier['value']}")
    return None


def _key(kind: str, value: str) -> str:
    return f"{kind}:{hashlib.sha256(value.encode()).hexdigest()[:24]}"
