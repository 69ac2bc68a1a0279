"""Maternity booking with no birth recorded yet (an MSDS pregnancy that is part of no baby's
record) → FHIR: the mother's Patient, her GP practice, the booking appointment Encounter and an
Observation per fact recorded at booking (gestation, BMI, smoking, obstetric history).

NHS England counts every booking in the month, born or not; once the birth arrives, its record
carries the same facts at the delivery and the projection counts the booking there instead."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fhir_mappings.fhir import codes
from fhir_mappings.fhir.encounters import encounter
from fhir_mappings.fhir.maternity import OBSERVATIONS, gp_practice, mother_patient
from fhir_mappings.fhir.naming import ODS_SITE_SYSTEM
from fhir_mappings.fhir.shapes import Resource, RowContext, observation

PREGNANCY = "pregnancy.local_id"
BOOKED = "pregnancy.booking_date"
# The facts dated by the booking appointment, each identified by the pregnancy.
AT_BOOKING = tuple(
    replace(line, key=PREGNANCY) for line in OBSERVATIONS if line.effective == BOOKED
)


def build(record: dict[str, Any], context: RowContext) -> list[Resource]:
    practice = gp_practice(record, context)
    mother = mother_patient(record, context, practice)
    booking = encounter(
        context,
        kind="booking",
        key=record[PREGNANCY],
        encounter_class=("AMB", "ambulatory"),
        types=[{"coding": [codes.local("antenatal-booking")]}],
        subject=mother,
        start=record.get(BOOKED),
    )
    if record.get("pregnancy.booking_site_code"):
        booking["serviceProvider"] = {
            "identifier": {
                "system": ODS_SITE_SYSTEM,
                "value": record["pregnancy.booking_site_code"],
            }
        }
    resources = [mother, *([practice] if practice else []), booking]
    subjects = {"mother": mother}
    resources += [
        found
        for line in AT_BOOKING
        if (
            found := observation(
                context, line, record, subjects, booking, kind="booking-observation"
            )
        )
    ]
    return resources
