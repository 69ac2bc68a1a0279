"""Every code the product writes into FHIR, in one table.

National codes (SNOMED CT, LOINC, ICD-10, HL7 terminology, UK Core) are used where
`shared/domain/fhir.md` confirms them; everything else is a code of the product's own local code
system, listed once in `LOCAL_CODES` and served as a CodeSystem resource.
"""

from __future__ import annotations

from typing import Any

from fhir_mappings.ethnicity import ETHNIC_CATEGORIES, ETHNIC_CATEGORY_SYSTEM
from fhir_mappings.fhir.naming import LOCAL_CODE_SYSTEM, PRODUCT_BASE
from fhir_mappings.value_sets import VALUE_SETS

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
UCUM = "http://unitsofmeasure.org"
BCP47 = "urn:ietf:bcp:47"
ROLE_CODE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
DISCHARGE_DISPOSITION = "http://terminology.hl7.org/CodeSystem/discharge-disposition"
ETHNIC_CATEGORY_EXTENSION = (
    "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-EthnicCategory"
)
INTERPRETER_REQUIRED_EXTENSION = (
    "http://hl7.org/fhir/StructureDefinition/patient-interpreterRequired"
)
BIRTH_TIME_EXTENSION = "http://hl7.org/fhir/StructureDefinition/patient-birthTime"
REFERRAL_SOURCE_EXTENSION = f"{PRODUCT_BASE}/StructureDefinition/referral-source"
UK_CORE_PATIENT = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"

Coding = dict[str, str]


def coding(system: str, code: str, display: str | None = None) -> Coding:
    result = {"system": system, "code": code}
    if display:
        result["display"] = display
    return result


# The product's local codes: concepts without a confirmed national code, then the values of
# every canonical value set as `<value_set>-<concept>`.
LOCAL_CODES: dict[str, str] = {
    "delivery": "Delivery (labour and birth)",
    "antenatal-booking": "Antenatal booking appointment",
    "booking-gestation": "Gestation at booking (days)",
    "parity": "Parity (previous births at 24 weeks or more)",
    "previous-caesareans": "Number of previous caesarean sections",
    "previous-stillbirths": "Number of previous stillbirths",
    "labour-onset-date": "Date labour began",
    "caesarean-date": "Date of caesarean section",
    "smoking-at-booking": "Smoking status at booking",
    "smoking-at-delivery": "Smoking status at delivery",
    "smoking-at-booking-derived": "Smoking status at booking, as NHS England derives it",
    "smoking-at-delivery-derived": "Smoking status at delivery, as NHS England derives it",
    "booking-date": "Date of the booking appointment",
    "blood-loss": "Estimated blood loss at delivery",
    "maternal-critical-incidents": "Maternal critical incidents at labour and delivery",
    "onset-of-labour": "Onset of labour",
    "mode-of-birth": "Mode of birth",
    "presentation": "Fetal presentation at birth",
    "birth-outcome": "Birth outcome",
    "first-feed": "First feed",
    "skin-to-skin-1h": "Skin-to-skin contact within one hour of birth",
    "perineal-trauma": "Perineal trauma",
    "perineal-tear-subgrade": "Third-degree tear subgrade",
    "pmh-referral": "Referral to perinatal mental health services",
    "nnu-days-intensive-care": "Days of intensive care (BAPM)",
    "nnu-days-high-dependency": "Days of high dependency care (BAPM)",
    "nnu-days-special-care": "Days of special care (BAPM)",
    "nnu-days-transitional-care": "Days of transitional care (BAPM)",
    "nnu-admission-reason": "Reason for neonatal unit admission",
    "nnu-discharge-destination": "Destination on discharge from the neonatal unit",
    "breast-milk-at-discharge": "Breast milk at neonatal discharge",
    "hie-grade": "Grade of hypoxic-ischaemic encephalopathy",
    "therapeutic-hypothermia": "Therapeutic hypothermia",
    "brain-injury": "Brain injury",
    "infant-feeding": "Infant feeding status",
    "mood-screen": "Maternal mood screen",
    "father-age": "Father's age at the birth (years)",
    "father-occupation": "Father's occupation",
    "mother-age-at-delivery": "Mother's age at delivery (years)",
    "health-visiting-contact": "Health-visiting contact",
    "neonatal-unit": "Neonatal unit",
    "interpreter-used": "Interpreter used at the contact",
    **{
        f"{value_set}-{concept}": concept.replace("_", " ").capitalize()
        for value_set, concepts in VALUE_SETS.items()
        if value_set != "ethnic_category"
        for concept in concepts
    },
}

# National codings of concepts (observation codes, conditions, procedures).
NATIONAL: dict[str, list[Coding]] = {
    "birth-weight": [
        coding(LOINC, "8339-4", "Birth weight Measured"),
        coding(SNOMED, "364589006", "Birth weight"),
    ],
    "gestation-at-birth": [
        coding(LOINC, "76516-4", "Gestational age--at birth"),
        coding(SNOMED, "412726003", "Length of gestation at birth"),
    ],
    "bmi": [
        coding(LOINC, "39156-5", "Body mass index (BMI) [Ratio]"),
        coding(SNOMED, "60621009", "Body mass index"),
    ],
    "smoking-status": [coding(LOINC, "72166-2", "Tobacco smoking status")],
    "apgar-5min": [coding(LOINC, "9274-2", "5 minute Apgar Score")],
    "hie": [coding(ICD10, "P91.6", "Hypoxic ischaemic encephalopathy of newborn")],
    "neonatal-unit-admission": [
        coding(SNOMED, "830077005", "Admission to neonatal intensive care unit")
    ],
    "breast-fed": [coding(SNOMED, "169741004", "Breast fed")],
    "episiotomy": [coding(SNOMED, "85548006", "Episiotomy")],
}

# Values with a national code: (value set, concept) → codings.
NATIONAL_VALUES: dict[tuple[str, str], list[Coding]] = {
    ("smoking_status", "current"): [coding(SNOMED, "77176002", "Smoker")],
    ("smoking_status", "ex"): [coding(SNOMED, "8517006", "Ex-smoker")],
    ("smoking_status", "never"): [coding(SNOMED, "266919005", "Never smoked tobacco")],
    ("perineal_trauma", "first_degree"): [coding(SNOMED, "57759005", "First degree perineal tear")],
    ("perineal_trauma", "second_degree"): [
        coding(SNOMED, "6234006", "Second degree perineal tear")
    ],
    ("perineal_trauma", "third_degree"): [
        coding(SNOMED, "10217006", "Third degree perineal tear"),
        coding(ICD10, "O70.2"),
    ],
    ("perineal_trauma", "third_degree_3a"): [
        coding(SNOMED, "10217006", "Third degree perineal tear"),
        coding(ICD10, "O70.2"),
    ],
    ("perineal_trauma", "third_degree_3b"): [
        coding(SNOMED, "10217006", "Third degree perineal tear"),
        coding(ICD10, "O70.2"),
    ],
    ("perineal_trauma", "third_degree_3c"): [
        coding(SNOMED, "10217006", "Third degree perineal tear"),
        coding(ICD10, "O70.2"),
    ],
    ("perineal_trauma", "fourth_degree"): [
        coding(SNOMED, "399031001", "Fourth degree perineal tear"),
        coding(ICD10, "O70.3"),
    ],
    # HIE grade is the Condition's severity (FHIR condition-severity value set).
    ("hie_grade", "mild"): [coding(SNOMED, "255604002", "Mild")],
    ("hie_grade", "moderate"): [coding(SNOMED, "6736007", "Moderate")],
    ("hie_grade", "severe"): [coding(SNOMED, "24484000", "Severe")],
    ("discharge_destination", "home"): [coding(DISCHARGE_DISPOSITION, "home", "Home")],
    ("discharge_destination", "transfer"): [
        coding(DISCHARGE_DISPOSITION, "other-hcf", "Other healthcare facility")
    ],
    ("discharge_destination", "died"): [coding(DISCHARGE_DISPOSITION, "exp", "Expired")],
    ("discharge_destination", "foster_care"): [coding(DISCHARGE_DISPOSITION, "oth", "Other")],
}


def local(code: str) -> Coding:
    return coding(LOCAL_CODE_SYSTEM, code, LOCAL_CODES[code])


def concept(name: str) -> dict[str, Any]:
    """A CodeableConcept for an observation, condition or procedure code."""
    codings = NATIONAL.get(name) or [local(name)]
    return {"coding": codings}


# What a national code means when it alone is sent, where several canonical values share it: the
# national third-degree code does not say 3a, 3b or 3c.
NATIONAL_READING: dict[tuple[str, str, str], str] = {
    ("perineal_trauma", SNOMED, "10217006"): "third_degree",
    ("perineal_trauma", ICD10, "O70.2"): "third_degree",
}


def value_concept(value_set: str, value: str) -> dict[str, Any]:
    """A CodeableConcept for a canonical value: the national coding where there is one, and
    always the local coding, which keeps the exact canonical value (e.g. the 3a/3b/3c subgrade)."""
    if value_set == "ethnic_category":
        return {"coding": [coding(ETHNIC_CATEGORY_SYSTEM, value, ETHNIC_CATEGORIES[value])]}
    return {"coding": [*NATIONAL_VALUES.get((value_set, value), []), local(f"{value_set}-{value}")]}


def local_code_system() -> dict[str, Any]:
    """The CodeSystem resource that lists every local code, served by the API."""
    return {
        "resourceType": "CodeSystem",
        "id": "perinatal-local",
        "url": LOCAL_CODE_SYSTEM,
        "name": "PerinatalLocal",
        "title": "Perinatal equity local codes",
        "status": "active",
        "content": "complete",
        "caseSensitive": True,
        "count": len(LOCAL_CODES),
        "concept": [{"code": code, "display": display} for code, display in LOCAL_CODES.items()],
    }
