"""Neonatal system record (one unit episode) → FHIR: the baby and the mother as the neonatal team
recorded them, the mother link and the father as RelatedPersons, the unit stay Encounter, an
Observation per measured data line, HIE and brain injury Conditions and the therapeutic
hypothermia Procedure."""

from __future__ import annotations

from typing import Any

from fhir_mappings.fhir import codes
from fhir_mappings.fhir.encounters import condition, encounter, procedure
from fhir_mappings.fhir.shapes import (
    ObservationLine,
    Resource,
    RowContext,
    nhs_identifier,
    observation,
    patient,
    related_person,
)

HIE_GRADES = ("mild", "moderate", "severe")

OBSERVATIONS: tuple[ObservationLine, ...] = (
    ObservationLine(
        "baby.birth_weight_g",
        "birth-weight",
        "baby",
        "baby.birth_date",
        "quantity",
        unit="g",
        category="vital-signs",
    ),
    ObservationLine(
        "baby.gestation_days", "gestation-at-birth", "baby", "baby.birth_date", "quantity", unit="d"
    ),
    ObservationLine(
        "episode.days_intensive_care",
        "nnu-days-intensive-care",
        "baby",
        "episode.discharge_datetime",
        "quantity",
        unit="d",
    ),
    ObservationLine(
        "episode.days_high_dependency",
        "nnu-days-high-dependency",
        "baby",
        "episode.discharge_datetime",
        "quantity",
        unit="d",
    ),
    ObservationLine(
        "episode.days_special_care",
        "nnu-days-special-care",
        "baby",
        "episode.discharge_datetime",
        "quantity",
        unit="d",
    ),
    ObservationLine(
        "episode.days_transitional_care",
        "nnu-days-transitional-care",
        "baby",
        "episode.discharge_datetime",
        "quantity",
        unit="d",
    ),
    ObservationLine(
        "episode.breast_milk_at_discharge",
        "breast-milk-at-discharge",
        "baby",
        "episode.discharge_datetime",
        "code",
        value_set="breast_milk_at_discharge",
    ),
    ObservationLine(
        "mother.age_at_delivery",
        "mother-age-at-delivery",
        "mother",
        "baby.birth_date",
        "quantity",
        unit="a",
    ),
    ObservationLine(
        "father.age", "father-age", "baby", "baby.birth_date", "quantity", unit="a", focus="father"
    ),
    ObservationLine(
        "father.occupation",
        "father-occupation",
        "baby",
        "baby.birth_date",
        "string",
        focus="father",
        category="social-history",
    ),
)


def build(record: dict[str, Any], context: RowContext) -> list[Resource]:
    record = {**record, "baby.gestation_days": _gestation_days(record)}
    baby_key = record["baby.local_id"]
    baby = patient(
        context,
        kind="baby",
        key=baby_key,
        identifiers=[
            *nhs_identifier(record.get("baby.nhs_number")),
            context.identifier("baby", baby_key),
        ],
        birth_date=record.get("baby.birth_date"),
        gender=record.get("baby.sex"),
        postcode=record.get("mother.postcode"),
        deceased=record.get("baby.death_datetime"),
    )
    mother = patient(
        context,
        kind="mother",
        key=record.get("mother.nhs_number") or f"of-{baby_key}",
        identifiers=nhs_identifier(record.get("mother.nhs_number")),
        gender="female",
        postcode=record.get("mother.postcode"),
        ethnic_category=record.get("mother.ethnic_category"),
        language=record.get("mother.language"),
    )
    subjects = {"baby": baby, "mother": mother}
    resources = [
        baby,
        mother,
        related_person(
            context,
            kind="mother-link",
            of_patient=baby,
            relationship="MTH",
            identifiers=nhs_identifier(record.get("mother.nhs_number")),
        ),
    ]
    if any(
        record.get(f) is not None
        for f in ("father.age", "father.ethnic_category", "father.occupation")
    ):
        subjects["father"] = related_person(
            context,
            kind="father",
            of_patient=baby,
            relationship="FTH",
            identifiers=[],
            ethnic_category=record.get("father.ethnic_category"),
        )
        resources.append(subjects["father"])
    stay = _stay(record, context, baby)
    resources.append(stay)
    resources += [
        obs for line in OBSERVATIONS if (obs := observation(context, line, record, subjects, stay))
    ]
    resources += _conditions_and_treatment(record, context, baby, stay)
    return resources


def _gestation_days(record: dict[str, Any]) -> int | None:
    weeks = record.get("baby.gestation_weeks")
    if weeks is None:
        return None
    return int(weeks) * 7 + int(record.get("baby.gestation_extra_days") or 0)


def _stay(record: dict[str, Any], context: RowContext, baby: Resource) -> Resource:
    stay = encounter(
        context,
        kind="episode",
        key=record["episode.id"],
        encounter_class=("IMP", "inpatient encounter"),
        types=[codes.concept("neonatal-unit-admission")],
        subject=baby,
        start=record.get("episode.admission_datetime"),
        end=record.get("episode.discharge_datetime"),
    )
    if record.get("episode.discharge_datetime") is None:
        stay["status"] = "in-progress"
    if record.get("episode.admission_reason"):
        stay["reasonCode"] = [
            codes.value_concept("admission_reason", record["episode.admission_reason"])
        ]
    if record.get("episode.discharge_destination"):
        stay["hospitalization"] = {
            "dischargeDisposition": codes.value_concept(
                "discharge_destination", record["episode.discharge_destination"]
            )
        }
    if record.get("episode.unit_code"):
        stay["serviceProvider"] = {
            "identifier": context.identifier("unit", record["episode.unit_code"]),
            "display": record["episode.unit_code"],
        }
    return stay


def _conditions_and_treatment(
    record: dict[str, Any], context: RowContext, baby: Resource, stay: Resource
) -> list[Resource]:
    admitted = record.get("episode.admission_datetime")
    resources = []
    grade = record.get("baby.hie_grade")
    if grade in HIE_GRADES:
        resources.append(
            condition(
                context,
                kind="hie",
                code=codes.concept("hie"),
                severity=codes.value_concept("hie_grade", grade),
                subject=baby,
                encounter_=stay,
                onset=record.get("baby.birth_date"),
            )
        )
    injury = record.get("baby.brain_injury")
    if injury and injury != "none":
        resources.append(
            condition(
                context,
                kind="brain-injury",
                code=codes.value_concept("brain_injury", injury),
                subject=baby,
                encounter_=stay,
                onset=admitted,
            )
        )
    if record.get("baby.therapeutic_hypothermia"):
        resources.append(
            procedure(
                context,
                kind="therapeutic-hypothermia",
                code=codes.concept("therapeutic-hypothermia"),
                subject=baby,
                encounter_=stay,
                performed=admitted,
            )
        )
    return resources
