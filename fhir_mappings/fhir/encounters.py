"""The Encounter and event shapes several builders share: an encounter with its class and type,
a Condition, a Procedure and a ServiceRequest for a referral."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fhir_mappings.fhir import codes
from fhir_mappings.fhir.naming import ODS_SITE_SYSTEM
from fhir_mappings.fhir.shapes import Resource, RowContext, instant, reference

CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"


def encounter(
    context: RowContext,
    *,
    kind: str,
    key: str,
    encounter_class: tuple[str, str],
    types: list[dict[str, Any]],
    subject: Resource,
    start: date | datetime | None,
    end: date | datetime | None = None,
    site_code: str | None = None,
) -> Resource:
    """`site_code` is the ODS code of the site where it happened (its service provider)."""
    resource: Resource = {
        "resourceType": "Encounter",
        "id": context.id(kind, key),
        "meta": context.meta(),
        "identifier": [context.identifier(kind, key)],
        "status": "finished" if end or start else "unknown",
        "class": codes.coding(codes.ACT_CODE, *encounter_class),
        "type": types,
        "subject": reference(subject),
    }
    if start:
        resource["period"] = {"start": instant(start)}
        if end:
            resource["period"]["end"] = instant(end)
    if site_code:
        resource["serviceProvider"] = {
            "identifier": {"system": ODS_SITE_SYSTEM, "value": site_code}
        }
    return resource


def condition(
    context: RowContext,
    *,
    kind: str,
    code: dict[str, Any],
    subject: Resource,
    encounter_: Resource | None,
    onset: date | datetime | None,
    severity: dict[str, Any] | None = None,
    key: str | None = None,
) -> Resource:
    resource: Resource = {
        "resourceType": "Condition",
        "id": context.id(kind, key),
        "meta": context.meta(),
        "verificationStatus": {"coding": [codes.coding(CONDITION_VERIFICATION, "confirmed")]},
        "category": [{"coding": [codes.coding(CONDITION_CATEGORY, "encounter-diagnosis")]}],
        "code": code,
        "subject": reference(subject),
    }
    if severity is not None:
        resource["severity"] = severity
    if encounter_ is not None:
        resource["encounter"] = reference(encounter_)
    if onset:
        resource["onsetDateTime"] = instant(onset)
    return resource


def procedure(
    context: RowContext,
    *,
    kind: str,
    code: dict[str, Any],
    subject: Resource,
    encounter_: Resource | None,
    performed: date | datetime | None,
    key: str | None = None,
) -> Resource:
    resource: Resource = {
        "resourceType": "Procedure",
        "id": context.id(kind, key),
        "meta": context.meta(),
        "status": "completed",
        "code": code,
        "subject": reference(subject),
    }
    if encounter_ is not None:
        resource["encounter"] = reference(encounter_)
    if performed:
        resource["performedDateTime"] = instant(performed)
    return resource


def referral(
    context: RowContext,
    *,
    key: str,
    subject: Resource,
    authored: date | None,
    source: str | None,
    encounter_: Resource | None = None,
) -> Resource:
    """A referral to perinatal mental health services, with who referred as an extension."""
    resource: Resource = {
        "resourceType": "ServiceRequest",
        "id": context.id("pmh-referral", key),
        "meta": context.meta(),
        "status": "active",
        "intent": "order",
        "category": [{"coding": [codes.local("pmh-referral")]}],
        "code": {"coding": [codes.local("pmh-referral")]},
        "subject": reference(subject),
    }
    if encounter_ is not None:
        resource["encounter"] = reference(encounter_)
    if authored:
        resource["authoredOn"] = instant(authored)
    if source:
        resource["extension"] = [
            {
                "url": codes.REFERRAL_SOURCE_EXTENSION,
                "valueCodeableConcept": codes.value_concept("pmh_referral_source", source),
            }
        ]
    return resource
