"""Where each analytic field is found in FHIR, declared as data: an Observation code (or a
Condition, Procedure or Encounter) and how to read its value. Adding a field is a line here.

Facts are collected per source system; `reconcile` then picks one value per field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from fhir_mappings.fhir.reading import coded_value, fhir_date

ValueKind = Literal["integer", "decimal", "code", "boolean", "text", "date"]


@dataclass(frozen=True)
class FactLine:
    field: str
    kind: ValueKind
    value_set: str | None = None


# Observations about the baby (subject = the baby).
BABY_OBSERVATIONS: dict[str, FactLine] = {
    "birth-weight": FactLine("birth_weight_g", "integer"),
    "gestation-at-birth": FactLine("gestation_days", "integer"),
    "birth-outcome": FactLine("birth_outcome", "code", "birth_outcome"),
    "presentation": FactLine("presentation", "code", "presentation"),
    "apgar-5min": FactLine("apgar_5min", "integer"),
    "first-feed": FactLine("first_feed", "code", "first_feed"),
    "skin-to-skin-1h": FactLine("skin_to_skin_1h", "boolean"),
    "nnu-days-intensive-care": FactLine("nnu_days_intensive", "integer"),
    "nnu-days-high-dependency": FactLine("nnu_days_high_dependency", "integer"),
    "nnu-days-special-care": FactLine("nnu_days_special", "integer"),
    "nnu-days-transitional-care": FactLine("nnu_days_transitional", "integer"),
    "breast-milk-at-discharge": FactLine(
        "breast_milk_at_nnu_discharge", "code", "breast_milk_at_discharge"
    ),
}

# Observations about the mother recorded at the delivery (subject = mother, encounter = delivery).
DELIVERY_OBSERVATIONS: dict[str, FactLine] = {
    "booking-gestation": FactLine("booking_gestation_days", "integer"),
    "bmi": FactLine("bmi_at_booking", "decimal"),
    "smoking-at-booking": FactLine("smoking_at_booking", "code", "smoking_status"),
    "smoking-at-delivery": FactLine("smoking_at_delivery", "code", "smoking_status"),
    "smoking-at-booking-derived": FactLine(
        "smoking_at_booking_derived", "code", "derived_smoking_status"
    ),
    "smoking-at-delivery-derived": FactLine(
        "smoking_at_delivery_derived", "code", "derived_smoking_status"
    ),
    "booking-date": FactLine("booking_date", "date"),
    "parity": FactLine("parity", "integer"),
    "previous-caesareans": FactLine("previous_caesareans", "integer"),
    "previous-stillbirths": FactLine("previous_stillbirths", "integer"),
    "labour-onset-date": FactLine("labour_onset_date", "date"),
    "caesarean-date": FactLine("caesarean_date", "date"),
    "onset-of-labour": FactLine("onset_of_labour", "code", "onset_of_labour"),
    "blood-loss": FactLine("blood_loss_ml", "integer"),
    "maternal-critical-incidents": FactLine("maternal_critical_incidents", "integer"),
    "perineal-trauma": FactLine("perineal_trauma", "code", "perineal_trauma"),
}

# Observations about the mother recorded at the baby's encounter (the neonatal team's record).
MOTHER_OBSERVATIONS: dict[str, FactLine] = {
    "mother-age-at-delivery": FactLine("mother_age_years", "integer"),
}

# Observations at a health-visiting contact (subject = the child or the mother).
CONTACT_OBSERVATIONS: dict[str, FactLine] = {
    "infant-feeding": FactLine("infant_feeding", "code", "infant_feeding"),
    "mood-screen": FactLine("maternal_mood_screen", "code", "mood_screen"),
    "interpreter-used": FactLine("interpreter_used", "boolean"),
}

# Procedures about the mother at the delivery, read by value set.
DELIVERY_PROCEDURES: tuple[FactLine, ...] = (FactLine("mode_of_birth", "code", "mode_of_birth"),)
# Procedures about the baby, recorded as a yes when present.
BABY_PROCEDURES: dict[str, str] = {"therapeutic-hypothermia": "therapeutic_hypothermia"}
# Conditions about the baby, read by value set.
BABY_CONDITIONS: tuple[FactLine, ...] = (
    FactLine("hie_grade", "code", "hie_grade"),
    FactLine("brain_injury", "code", "brain_injury"),
)

# Fields that more than one source system can give, and so may be reconciled.
RECONCILABLE_FIELDS: tuple[str, ...] = (
    *(line.field for line in BABY_OBSERVATIONS.values()),
    *(line.field for line in DELIVERY_OBSERVATIONS.values()),
    *(line.field for line in BABY_CONDITIONS),
    *(line.field for line in DELIVERY_PROCEDURES),
    *BABY_PROCEDURES.values(),
    "baby_sex",
    "birth_date",
    "birth_order",
    "nnu_discharge_destination",
    "death_date",
    "ethnic_category",
    "language",
    "interpreter_required",
    "postcode",
    "mother_birth_date",
    *(line.field for line in MOTHER_OBSERVATIONS.values()),
    "pmh_referral",
    "pmh_referral_source",
)


def observation_value(observation: dict[str, Any], line: FactLine) -> Any:
    """The Observation's value as `line` reads it, or None when absent or of another type."""
    if line.kind == "code":
        return coded_value(observation.get("valueCodeableConcept"), line.value_set or "")
    if line.kind == "boolean":
        value = observation.get("valueBoolean")
        return value if isinstance(value, bool) else None
    if line.kind == "text":
        return observation.get("valueString")
    if line.kind == "date":
        return fhir_date(observation.get("valueDateTime"))
    number = observation.get("valueInteger")
    if number is None:
        number = (observation.get("valueQuantity") or {}).get("value")
    if not isinstance(number, int | float) or isinstance(number, bool):
        return None
    return round(float(number), 1) if line.kind == "decimal" else round(number)
