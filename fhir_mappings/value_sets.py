"""The product's canonical value sets: the concepts each coded field can take, whatever the
source system calls them. A mapping's code map turns a system's local codes into these; the code
table (`codes.py`) turns these into national codes for FHIR."""

from __future__ import annotations

from fhir_mappings.ethnicity import ETHNIC_CATEGORIES

VALUE_SETS: dict[str, tuple[str, ...]] = {
    "ethnic_category": tuple(ETHNIC_CATEGORIES),
    "sex": ("male", "female", "indeterminate"),
    "smoking_status": ("current", "ex", "never"),
    # NHS England's derived status (SmokingStatusBooking_derived, SmokingStatusDelivery_derived).
    "derived_smoking_status": ("smoker", "non_smoker_or_ex_smoker", "unknown"),
    "onset_of_labour": ("spontaneous", "induced", "caesarean_before_labour"),
    "mode_of_birth": (
        "spontaneous_vaginal",
        "forceps",
        "ventouse",
        "breech_vaginal",
        "elective_caesarean",
        "emergency_caesarean",
        "other",  # MSDS DeliveryMethodCode 9: other than those listed
    ),
    "presentation": ("cephalic", "breech", "other"),
    "perineal_trauma": (
        "intact",
        "first_degree",
        "second_degree",
        "third_degree",  # subgrade not recorded (e.g. sent by another system as national code only)
        "third_degree_3a",
        "third_degree_3b",
        "third_degree_3c",
        "fourth_degree",
        "episiotomy_only",
    ),
    "birth_outcome": (
        "live_birth",
        "stillbirth_antepartum",
        "stillbirth_intrapartum",
        "stillbirth_indeterminate",  # MSDS PregOutcome 04: time of death unknown
    ),
    # breast_milk_and_formula: MSDS BabyFirstFeedIndCode 02 (maternal or donor milk and formula)
    "first_feed": ("breast_milk", "breast_milk_and_formula", "formula", "none"),
    "pmh_referral_source": ("midwife", "gp", "obstetrician", "health_visitor", "self", "other"),
    "discharge_destination": ("home", "transfer", "foster_care", "died"),
    "breast_milk_at_discharge": ("exclusive", "partial", "none"),
    "hie_grade": ("none", "mild", "moderate", "severe"),
    "brain_injury": ("none", "ivh_grade_3", "ivh_grade_4", "cystic_pvl", "hie_injury", "other"),
    "admission_reason": (
        "prematurity",
        "respiratory_distress",
        "suspected_sepsis",
        "hypoglycaemia",
        "jaundice",
        "poor_feeding",
        "encephalopathy",
        "other",
    ),
    "contact_type": ("antenatal", "new_birth_visit", "six_to_eight_week_review", "one_year_review"),
    "infant_feeding": ("totally_breastfed", "partially_breastfed", "not_breastfed"),
    "mood_screen": ("positive", "negative", "not_done"),
}
