"""Cross-field plausibility checks, named so a mapping file can list the ones that apply.

Each check reads a parsed record (canonical targets → values) and returns problems as
(target, rule, severity, message); the engine turns the target back into the source column.
Messages carry no identifiers.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from fhir_mappings.findings import Severity

Problem = tuple[str, str, Severity, str]
Record = dict[str, Any]


@dataclass(frozen=True)
class Check:
    needs: tuple[str, ...]
    run: Callable[[Record], list[Problem]]


def median_birth_weight_g(gestation_days: int) -> float:
    """Hadlock et al. (1991) fetal weight median at a gestation, in grams."""
    weeks = gestation_days / 7
    return math.exp(0.578 + 0.332 * weeks - 0.00354 * weeks**2)


# Far outside what any baby weighs at that gestation (well beyond the 0.1st and 99.9th centiles):
# a typing error, not a small or large baby.
IMPLAUSIBLY_LIGHT = 0.35
IMPLAUSIBLY_HEAVY = 2.2


def _stillbirth_with_apgar(record: Record) -> list[Problem]:
    outcome, apgar = record.get("baby.birth_outcome"), record.get("baby.apgar_5min")
    if outcome and outcome.startswith("stillbirth") and apgar is not None:
        return [
            (
                "baby.apgar_5min",
                "stillbirth_with_apgar",
                "error",
                "a stillbirth has an Apgar score; one of the two is wrong",
            )
        ]
    return []


def _weight_for_gestation(record: Record) -> list[Problem]:
    weight, days = record.get("baby.birth_weight_g"), record.get("baby.gestation_days")
    if weight is None or days is None:
        return []
    ratio = weight / median_birth_weight_g(days)
    if ratio < IMPLAUSIBLY_LIGHT or ratio > IMPLAUSIBLY_HEAVY:
        return [
            (
                "baby.birth_weight_g",
                "weight_for_gestation",
                "error",
                f"{weight} g is implausible at {days // 7}+{days % 7} weeks",
            )
        ]
    return []


def _booking_after_birth(record: Record) -> list[Problem]:
    booked, born = record.get("pregnancy.booking_date"), record.get("baby.birth_datetime")
    if booked and born and booked > born.date():
        return [
            (
                "pregnancy.booking_date",
                "booking_after_birth",
                "error",
                "the booking date is after the birth",
            )
        ]
    return []


def _birth_order_within_plurality(record: Record) -> list[Problem]:
    order, plurality = record.get("baby.birth_order"), record.get("delivery.plurality")
    if order and plurality and order > plurality:
        return [
            (
                "baby.birth_order",
                "birth_order",
                "error",
                f"birth order {order} is more than the plurality {plurality}",
            )
        ]
    return []


def _mother_age_at_birth(record: Record) -> list[Problem]:
    dob, born = record.get("mother.birth_date"), record.get("baby.birth_datetime")
    if not (dob and born):
        return []
    age = _years_between(dob, born.date())
    if not 12 <= age <= 60:
        return [
            (
                "mother.birth_date",
                "mother_age",
                "warning",
                f"the mother's age at the birth would be {age}",
            )
        ]
    return []


def _admission_after_birth(record: Record) -> list[Problem]:
    admitted, born = record.get("episode.admission_datetime"), record.get("baby.birth_date")
    if admitted and born and admitted.date() < born:
        return [
            (
                "episode.admission_datetime",
                "admission_before_birth",
                "error",
                "the admission is before the birth",
            )
        ]
    return []


def _discharge_after_admission(record: Record) -> list[Problem]:
    admitted = record.get("episode.admission_datetime")
    discharged = record.get("episode.discharge_datetime")
    if admitted and discharged and discharged < admitted:
        return [
            (
                "episode.discharge_datetime",
                "discharge_before_admission",
                "error",
                "the discharge is before the admission",
            )
        ]
    return []


def _death_matches_destination(record: Record) -> list[Problem]:
    died = record.get("baby.death_datetime") is not None
    destination = record.get("episode.discharge_destination")
    if destination and died != (destination == "died"):
        return [
            (
                "episode.discharge_destination",
                "death_inconsistent",
                "warning",
                "the discharge destination and the death time disagree",
            )
        ]
    return []


def _child_identified_after_birth(record: Record) -> list[Problem]:
    if record.get("contact.type") == "antenatal" and record.get("child.nhs_number"):
        return [
            (
                "child.nhs_number",
                "antenatal_child_number",
                "warning",
                "an antenatal contact carries a child's NHS number",
            )
        ]
    return []


def _contact_linkable(record: Record) -> list[Problem]:
    if not record.get("child.nhs_number") and not record.get("mother.nhs_number"):
        return [
            (
                "mother.nhs_number",
                "unlinkable",
                "warning",
                "neither the child's nor the mother's NHS number is given; the contact cannot "
                "be linked to anyone",
            )
        ]
    return []


def _years_between(earlier: date, later: date) -> int:
    return later.year - earlier.year - ((later.month, later.day) < (earlier.month, earlier.day))


CHECKS: dict[str, dict[str, Check]] = {
    "maternity": {
        "stillbirth_with_apgar": Check(
            ("baby.birth_outcome", "baby.apgar_5min"), _stillbirth_with_apgar
        ),
        "weight_for_gestation": Check(
            ("baby.birth_weight_g", "baby.gestation_days"), _weight_for_gestation
        ),
        "booking_after_birth": Check(
            ("pregnancy.booking_date", "baby.birth_datetime"), _booking_after_birth
        ),
        "birth_order_within_plurality": Check(
            ("baby.birth_order", "delivery.plurality"), _birth_order_within_plurality
        ),
        "mother_age_at_birth": Check(
            ("mother.birth_date", "baby.birth_datetime"), _mother_age_at_birth
        ),
    },
    "neonatal": {
        "admission_after_birth": Check(
            ("episode.admission_datetime", "baby.birth_date"), _admission_after_birth
        ),
        "discharge_after_admission": Check(
            ("episode.admission_datetime", "episode.discharge_datetime"), _discharge_after_admission
        ),
        "death_matches_destination": Check(
            ("baby.death_datetime", "episode.discharge_destination"), _death_matches_destination
        ),
    },
    "health_visiting": {
        "child_identified_after_birth": Check(
            ("contact.type", "child.nhs_number"), _child_identified_after_birth
        ),
        "contact_linkable": Check(("child.nhs_number", "mother.nhs_number"), _contact_linkable),
    },
}
