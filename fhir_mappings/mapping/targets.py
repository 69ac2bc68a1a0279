"""The canonical fields a mapping can fill, per source system, declared as data.

A field has a kind (what parsers may feed it), a canonical unit for quantities, a plausible range,
a value set for codes, and whether it identifies a person (its value is then never echoed in a
finding or a log line). The FHIR builders read records keyed by these names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal[
    "text", "integer", "decimal", "date", "datetime", "boolean", "code", "nhs_number", "postcode"
]


@dataclass(frozen=True)
class Target:
    kind: Kind
    unit: str | None = None  # canonical UCUM unit of a quantity
    low: float | None = None  # plausible range, inclusive
    high: float | None = None
    value_set: str | None = None
    identifying: bool = False
    # Values that suggest another unit was recorded: (low, high, hint) — checked before range.
    suspect: tuple[tuple[float, float, str], ...] = ()


WEIGHT_SUSPECT = ((0.2, 7.0, "looks like kilograms"), (7.0, 15.0, "looks like pounds"))
GESTATION_SUSPECT = ((20.0, 45.0, "looks like weeks, not days"),)


def _code(value_set: str) -> Target:
    return Target("code", value_set=value_set)


def _days(low: float, high: float) -> Target:
    return Target("integer", unit="d", low=low, high=high)


MATERNITY: dict[str, Target] = {
    "delivery.episode_id": Target("text", identifying=True),
    "mother.nhs_number": Target("nhs_number", identifying=True),
    "mother.local_id": Target("text", identifying=True),
    "mother.birth_date": Target("date", identifying=True),
    "mother.postcode": Target("postcode", identifying=True),
    "mother.gp_practice_code": Target("text"),
    "mother.gp_postcode": Target("postcode"),
    "mother.ethnic_category": _code("ethnic_category"),
    "mother.language": Target("text"),
    "mother.interpreter_required": Target("boolean"),
    # MSDS: the pregnancy's own key and the site that booked it, for a booking read before (or
    # without) its birth: NHS England counts every booking in the month.
    "pregnancy.local_id": Target("text", identifying=True),
    "pregnancy.booking_site_code": Target("text"),
    "pregnancy.booking_date": Target("date"),
    "pregnancy.booking_gestation_days": _days(0, 315),
    "pregnancy.bmi_at_booking": Target("decimal", unit="kg/m2", low=12, high=80),
    "pregnancy.smoking_at_booking": _code("smoking_status"),
    "pregnancy.smoking_at_delivery": _code("smoking_status"),
    # MSDS: smoking status as NHS England derives it from care activities (CQIMSmoking*).
    "pregnancy.smoking_at_booking_derived": _code("derived_smoking_status"),
    "pregnancy.smoking_at_delivery_derived": _code("derived_smoking_status"),
    "mother.parity": Target("integer", low=0, high=20),
    # MSDS PreviousCaesareanSections, PreviousStillBirths: what NHS England's Robson and VBAC
    # measures read (the reference extract does not carry them).
    "pregnancy.previous_caesareans": Target("integer", low=0, high=20),
    "pregnancy.previous_stillbirths": Target("integer", low=0, high=20),
    "delivery.labour_onset_date": Target("date"),
    "delivery.caesarean_date": Target("date"),
    "delivery.site_code": Target("text"),
    "baby.birth_datetime": Target("datetime", identifying=True),
    "delivery.plurality": Target("integer", low=1, high=6),
    "baby.birth_order": Target("integer", low=1, high=6),
    "delivery.onset_of_labour": _code("onset_of_labour"),
    "delivery.mode_of_birth": _code("mode_of_birth"),
    "baby.presentation": _code("presentation"),
    "delivery.perineal_trauma": _code("perineal_trauma"),
    "delivery.blood_loss_ml": Target("integer", unit="mL", low=0, high=10_000),
    # MSDS: how many maternal critical incidents MSD302 records (NHS England's CQIMDQ11 codes).
    "delivery.maternal_critical_incidents": Target("integer", low=0, high=50),
    "baby.nhs_number": Target("nhs_number", identifying=True),
    "baby.local_id": Target("text", identifying=True),
    "baby.sex": _code("sex"),
    "baby.birth_weight_g": Target("integer", unit="g", low=200, high=6500, suspect=WEIGHT_SUSPECT),
    # Plausible, not eligible: 20+0 to 46+0 weeks. The measures set their own bounds (NHS
    # England's CQIMs count 154–315 days), so a birth just outside them still counts elsewhere.
    "baby.gestation_days": Target(
        "integer", unit="d", low=140, high=322, suspect=GESTATION_SUSPECT
    ),
    "baby.birth_outcome": _code("birth_outcome"),
    "baby.apgar_5min": Target("integer", low=0, high=10),
    "baby.first_feed": _code("first_feed"),
    "baby.skin_to_skin_1h": Target("boolean"),
    "referral.requested": Target("boolean"),
    "referral.date": Target("date"),
    "referral.source": _code("pmh_referral_source"),
}

NEONATAL: dict[str, Target] = {
    "episode.id": Target("text", identifying=True),
    "baby.nhs_number": Target("nhs_number", identifying=True),
    "baby.local_id": Target("text", identifying=True),
    "baby.birth_date": Target("date", identifying=True),
    "baby.sex": _code("sex"),
    "baby.birth_weight_g": Target("integer", unit="g", low=200, high=6500, suspect=WEIGHT_SUSPECT),
    "baby.gestation_weeks": Target("integer", unit="wk", low=22, high=45),
    "baby.gestation_extra_days": Target("integer", unit="d", low=0, high=6),
    "episode.admission_datetime": Target("datetime"),
    "episode.admission_reason": _code("admission_reason"),
    "episode.unit_code": Target("text"),
    "episode.discharge_datetime": Target("datetime"),
    "episode.discharge_destination": _code("discharge_destination"),
    "episode.days_intensive_care": _days(0, 365),
    "episode.days_high_dependency": _days(0, 365),
    "episode.days_special_care": _days(0, 365),
    "episode.days_transitional_care": _days(0, 365),
    "episode.breast_milk_at_discharge": _code("breast_milk_at_discharge"),
    "baby.hie_grade": _code("hie_grade"),
    "baby.therapeutic_hypothermia": Target("boolean"),
    "baby.brain_injury": _code("brain_injury"),
    "mother.nhs_number": Target("nhs_number", identifying=True),
    "mother.age_at_delivery": Target("integer", unit="a", low=10, high=65),
    "mother.ethnic_category": _code("ethnic_category"),
    "mother.language": Target("text"),
    "mother.postcode": Target("postcode", identifying=True),
    "mother.gp_postcode": Target("postcode"),
    "father.age": Target("integer", unit="a", low=12, high=90),
    "father.ethnic_category": _code("ethnic_category"),
    "father.occupation": Target("text"),
    "baby.death_datetime": Target("datetime"),
}

HEALTH_VISITING: dict[str, Target] = {
    "contact.id": Target("text", identifying=True),
    "child.nhs_number": Target("nhs_number", identifying=True),
    "mother.nhs_number": Target("nhs_number", identifying=True),
    "contact.date": Target("date"),
    "contact.type": _code("contact_type"),
    "contact.infant_feeding": _code("infant_feeding"),
    "contact.mood_screen": _code("mood_screen"),
    "contact.pmh_referral": Target("boolean"),
    "contact.pmh_referral_source": _code("pmh_referral_source"),
    "contact.language": Target("text"),
    "contact.interpreter_used": Target("boolean"),
    "family.postcode": Target("postcode", identifying=True),
}

TARGETS: dict[str, dict[str, Target]] = {
    "maternity": MATERNITY,
    "neonatal": NEONATAL,
    "health_visiting": HEALTH_VISITING,
}
