"""Maternity system record (one baby born) → FHIR: the mother and baby Patients, the baby's
mother link, the GP practice, the delivery Encounter, an Observation per measured data line, the
perineal tear Condition, the mode of birth and episiotomy Procedures and the mental health
referral ServiceRequest."""

from __future__ import annotations

from typing import Any

from fhir_mappings.fhir import codes
from fhir_mappings.fhir.encounters import condition, encounter, procedure, referral
from fhir_mappings.fhir.naming import ODS_ORGANISATION_SYSTEM
from fhir_mappings.fhir.shapes import (
    ObservationLine,
    Resource,
    RowContext,
    nhs_identifier,
    observation,
    patient,
    reference,
    related_person,
)

TEARS = (
    "first_degree",
    "second_degree",
    "third_degree",
    "third_degree_3a",
    "third_degree_3b",
    "third_degree_3c",
    "fourth_degree",
)

EPISODE = "delivery.episode_id"
# Facts about the delivery are keyed by the episode and built from the first baby's row only, so
# twins (whose rows differ in birth time) never give the same resource two versions.
OBSERVATIONS: tuple[ObservationLine, ...] = (
    ObservationLine(
        "pregnancy.booking_gestation_days",
        "booking-gestation",
        "mother",
        "pregnancy.booking_date",
        "quantity",
        unit="d",
        key=EPISODE,
    ),
    ObservationLine(
        "pregnancy.bmi_at_booking",
        "bmi",
        "mother",
        "pregnancy.booking_date",
        "quantity",
        unit="kg/m2",
        category="vital-signs",
        key=EPISODE,
    ),
    ObservationLine(
        "pregnancy.smoking_at_booking",
        "smoking-at-booking",
        "mother",
        "pregnancy.booking_date",
        "code",
        value_set="smoking_status",
        category="social-history",
        key=EPISODE,
    ),
    ObservationLine(
        "pregnancy.smoking_at_delivery",
        "smoking-at-delivery",
        "mother",
        "baby.birth_datetime",
        "code",
        value_set="smoking_status",
        category="social-history",
        key=EPISODE,
    ),
    ObservationLine(
        "pregnancy.smoking_at_booking_derived",
        "smoking-at-booking-derived",
        "mother",
        "pregnancy.booking_date",
        "code",
        value_set="derived_smoking_status",
        category="social-history",
        key=EPISODE,
    ),
    ObservationLine(
        "pregnancy.smoking_at_delivery_derived",
        "smoking-at-delivery-derived",
        "mother",
        "baby.birth_datetime",
        "code",
        value_set="derived_smoking_status",
        category="social-history",
        key=EPISODE,
    ),
    ObservationLine(
        "pregnancy.booking_date",
        "booking-date",
        "mother",
        "pregnancy.booking_date",
        "date",
        key=EPISODE,
    ),
    ObservationLine(
        "mother.parity", "parity", "mother", "pregnancy.booking_date", "integer", key=EPISODE
    ),
    ObservationLine(
        "pregnancy.previous_caesareans",
        "previous-caesareans",
        "mother",
        "pregnancy.booking_date",
        "integer",
        key=EPISODE,
    ),
    ObservationLine(
        "pregnancy.previous_stillbirths",
        "previous-stillbirths",
        "mother",
        "pregnancy.booking_date",
        "integer",
        key=EPISODE,
    ),
    ObservationLine(
        "delivery.labour_onset_date",
        "labour-onset-date",
        "mother",
        "baby.birth_datetime",
        "date",
        key=EPISODE,
    ),
    ObservationLine(
        "delivery.caesarean_date",
        "caesarean-date",
        "mother",
        "baby.birth_datetime",
        "date",
        key=EPISODE,
    ),
    ObservationLine(
        "delivery.onset_of_labour",
        "onset-of-labour",
        "mother",
        "baby.birth_datetime",
        "code",
        value_set="onset_of_labour",
        key=EPISODE,
    ),
    ObservationLine(
        "delivery.blood_loss_ml",
        "blood-loss",
        "mother",
        "baby.birth_datetime",
        "quantity",
        unit="mL",
        key=EPISODE,
    ),
    ObservationLine(
        "delivery.maternal_critical_incidents",
        "maternal-critical-incidents",
        "mother",
        "baby.birth_datetime",
        "integer",
        key=EPISODE,
    ),
    ObservationLine(
        "delivery.perineal_trauma",
        "perineal-trauma",
        "mother",
        "baby.birth_datetime",
        "code",
        value_set="perineal_trauma",
        category="exam",
        key=EPISODE,
    ),
    ObservationLine(
        "baby.birth_weight_g",
        "birth-weight",
        "baby",
        "baby.birth_datetime",
        "quantity",
        unit="g",
        category="vital-signs",
    ),
    ObservationLine(
        "baby.gestation_days",
        "gestation-at-birth",
        "baby",
        "baby.birth_datetime",
        "quantity",
        unit="d",
    ),
    ObservationLine(
        "baby.birth_outcome",
        "birth-outcome",
        "baby",
        "baby.birth_datetime",
        "code",
        value_set="birth_outcome",
    ),
    ObservationLine(
        "baby.presentation",
        "presentation",
        "baby",
        "baby.birth_datetime",
        "code",
        value_set="presentation",
    ),
    ObservationLine(
        "baby.apgar_5min", "apgar-5min", "baby", "baby.birth_datetime", "integer", category="exam"
    ),
    ObservationLine(
        "baby.first_feed",
        "first-feed",
        "baby",
        "baby.birth_datetime",
        "code",
        value_set="first_feed",
    ),
    ObservationLine(
        "baby.skin_to_skin_1h", "skin-to-skin-1h", "baby", "baby.birth_datetime", "boolean"
    ),
)


def build(record: dict[str, Any], context: RowContext) -> list[Resource]:
    first_of_delivery = (record.get("baby.birth_order") or 1) == 1
    practice = gp_practice(record, context)
    mother = mother_patient(record, context, practice)
    stillborn = (record.get("baby.birth_outcome") or "").startswith("stillbirth")
    baby = patient(
        context,
        kind="baby",
        key=record["baby.local_id"],
        identifiers=[
            *nhs_identifier(record.get("baby.nhs_number")),
            context.identifier("baby", record["baby.local_id"]),
        ],
        birth_time=record.get("baby.birth_datetime"),
        gender=record.get("baby.sex"),
        postcode=record.get("mother.postcode"),
        deceased=True if stillborn else None,
    )
    if (record.get("delivery.plurality") or 1) > 1:
        baby["multipleBirthInteger"] = record.get("baby.birth_order")
    mother_link = related_person(
        context,
        kind="mother-link",
        of_patient=baby,
        relationship="MTH",
        # The mother's local number too: it links the baby to a mother without an NHS number.
        identifiers=_mother_identifiers(record, context),
    )
    delivery = _delivery(record, context, mother)
    subjects = {"mother": mother, "baby": baby}
    resources = [mother, baby, mother_link]
    if practice:
        resources.append(practice)
    lines = [line for line in OBSERVATIONS if first_of_delivery or line.key != EPISODE]
    resources += [
        obs for line in lines if (obs := observation(context, line, record, subjects, delivery))
    ]
    if first_of_delivery:
        resources.append(delivery)
        resources += _perineum(record, context, mother, delivery)
        resources += _mode_of_birth(record, context, mother, delivery)
        resources += _referral(record, context, mother, delivery)
    return resources


def mother_patient(
    record: dict[str, Any], context: RowContext, practice: Resource | None
) -> Resource:
    """The mother's Patient, as every maternity record of her gives it."""
    return patient(
        context,
        kind="mother",
        key=record["mother.local_id"],
        identifiers=_mother_identifiers(record, context),
        birth_date=record.get("mother.birth_date"),
        gender="female",
        postcode=record.get("mother.postcode"),
        ethnic_category=record.get("mother.ethnic_category"),
        language=record.get("mother.language"),
        interpreter_required=record.get("mother.interpreter_required"),
        general_practitioner=reference(practice) if practice else None,
    )


def _mother_identifiers(record: dict[str, Any], context: RowContext) -> list[dict[str, str]]:
    return [
        *nhs_identifier(record.get("mother.nhs_number")),
        context.identifier("mother", record["mother.local_id"]),
    ]


def gp_practice(record: dict[str, Any], context: RowContext) -> Resource | None:
    code = record.get("mother.gp_practice_code")
    if not code:
        return None
    practice: Resource = {
        "resourceType": "Organization",
        "id": context.id("gp-practice", code),
        "meta": context.meta(),
        "identifier": [{"system": ODS_ORGANISATION_SYSTEM, "value": code}],
    }
    if record.get("mother.gp_postcode"):
        practice["address"] = [{"postalCode": record["mother.gp_postcode"]}]
    return practice


def _delivery(record: dict[str, Any], context: RowContext, mother: Resource) -> Resource:
    delivery = encounter(
        context,
        kind="episode",
        key=record[EPISODE],
        encounter_class=("IMP", "inpatient encounter"),
        types=[{"coding": [codes.local("delivery")]}],
        subject=mother,
        start=record.get("baby.birth_datetime"),
        site_code=record.get("delivery.site_code"),
    )
    return delivery


def _perineum(
    record: dict[str, Any], context: RowContext, mother: Resource, delivery: Resource
) -> list[Resource]:
    trauma = record.get("delivery.perineal_trauma")
    when = record.get("baby.birth_datetime")
    if trauma in TEARS:
        return [
            condition(
                context,
                kind="perineal-tear",
                key=record[EPISODE],
                code=codes.value_concept("perineal_trauma", trauma),
                subject=mother,
                encounter_=delivery,
                onset=when,
            )
        ]
    if trauma == "episiotomy_only":
        return [
            procedure(
                context,
                kind="episiotomy",
                key=record[EPISODE],
                code=codes.concept("episiotomy"),
                subject=mother,
                encounter_=delivery,
                performed=when,
            )
        ]
    return []


def _mode_of_birth(
    record: dict[str, Any], context: RowContext, mother: Resource, delivery: Resource
) -> list[Resource]:
    mode = record.get("delivery.mode_of_birth")
    if not mode:
        return []
    return [
        procedure(
            context,
            kind="mode-of-birth",
            key=record[EPISODE],
            code=codes.value_concept("mode_of_birth", mode),
            subject=mother,
            encounter_=delivery,
            performed=record.get("baby.birth_datetime"),
        )
    ]


def _referral(
    record: dict[str, Any], context: RowContext, mother: Resource, delivery: Resource
) -> list[Resource]:
    if not record.get("referral.requested"):
        return []
    return [
        referral(
            context,
            key=record[EPISODE],
            subject=mother,
            authored=record.get("referral.date"),
            source=record.get("referral.source"),
            encounter_=delivery,
        )
    ]
