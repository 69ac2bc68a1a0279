"""Health-visiting record (one contact) → FHIR: the child and the mother as the health-visiting
system knows them, the contact Encounter, infant feeding, the maternal mood screen and
interpreter use as Observations, and a perinatal mental health referral ServiceRequest."""

from __future__ import annotations

from typing import Any

from fhir_mappings.fhir import codes
from fhir_mappings.fhir.encounters import encounter, referral
from fhir_mappings.fhir.shapes import (
    ObservationLine,
    Resource,
    RowContext,
    nhs_identifier,
    observation,
    patient,
    related_person,
)

OBSERVATIONS: tuple[ObservationLine, ...] = (
    ObservationLine(
        "contact.infant_feeding",
        "infant-feeding",
        "child",
        "contact.date",
        "code",
        value_set="infant_feeding",
    ),
    ObservationLine(
        "contact.mood_screen",
        "mood-screen",
        "mother",
        "contact.date",
        "code",
        value_set="mood_screen",
        category="survey",
    ),
    ObservationLine(
        "contact.interpreter_used", "interpreter-used", "mother", "contact.date", "boolean"
    ),
)


def build(record: dict[str, Any], context: RowContext) -> list[Resource]:
    subjects: dict[str, Resource] = {}
    resources: list[Resource] = []
    mother_number = record.get("mother.nhs_number")
    if mother_number:
        subjects["mother"] = patient(
            context,
            kind="mother",
            key=mother_number,
            identifiers=nhs_identifier(mother_number),
            gender="female",
            postcode=record.get("family.postcode"),
            language=record.get("contact.language"),
        )
        resources.append(subjects["mother"])
    child_number = record.get("child.nhs_number")
    if child_number:
        subjects["child"] = patient(
            context,
            kind="child",
            key=child_number,
            identifiers=nhs_identifier(child_number),
            postcode=record.get("family.postcode"),
        )
        # Always linked to a mother, even one without a number: the link is what marks the
        # child as a baby for record linkage.
        resources.append(subjects["child"])
        resources.append(
            related_person(
                context,
                kind="mother-link",
                of_patient=subjects["child"],
                relationship="MTH",
                identifiers=nhs_identifier(mother_number),
            )
        )
    subject = subjects.get("child") or subjects.get("mother")
    if subject is None:
        return resources
    contact = encounter(
        context,
        kind="contact",
        key=record["contact.id"],
        encounter_class=("HH", "home health"),
        types=[
            {
                "coding": [
                    codes.local("health-visiting-contact"),
                    *codes.value_concept("contact_type", record["contact.type"])["coding"],
                ]
            }
        ]
        if record.get("contact.type")
        else [{"coding": [codes.local("health-visiting-contact")]}],
        subject=subject,
        start=record.get("contact.date"),
    )
    resources.append(contact)
    resources += [
        obs
        for line in OBSERVATIONS
        if (obs := observation(context, line, record, subjects, contact))
    ]
    if record.get("contact.pmh_referral") and "mother" in subjects:
        resources.append(
            referral(
                context,
                key=record["contact.id"],
                subject=subjects["mother"],
                authored=record.get("contact.date"),
                source=record.get("contact.pmh_referral_source"),
                encounter_=contact,
            )
        )
    return resources
