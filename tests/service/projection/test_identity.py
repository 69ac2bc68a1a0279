"""Record linkage: the same baby and the same mother are recognised across the source systems
from the FHIR resources alone."""

from __future__ import annotations

from typing import Any

from fhir_mappings.fhir.naming import NHS_NUMBER_SYSTEM, PRODUCT_BASE
from service.projection.identity import identities

MOTHER_NHS = "9990000018"  # synthetic test-range numbers
BABY_NHS = "9990000026"


def patient(
    patient_id: str,
    source: str,
    *,
    nhs: str | None = None,
    birth_date: str | None = None,
    order: int | None = None,
    local: str | None = None,
) -> dict[str, Any]:
    identifiers = []
    if nhs:
        identifiers.append({"system": NHS_NUMBER_SYSTEM, "value": nhs})
    if local:
        identifiers.append({"system": f"{PRODUCT_BASE}/id/{source}", "value": local})
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": patient_id,
        "meta": {"source": f"{PRODUCT_BASE}/source/{source.replace('_', '-')}"},
        "identifier": identifiers,
    }
    if birth_date:
        resource["birthDate"] = birth_date
    if order:
        resource["multipleBirthInteger"] = order
    return resource


def mother_link(
    baby_id: str, *, mother_nhs: str | None, local: str | None = None, source: str = ""
) -> dict[str, Any]:
    identifiers = [{"system": NHS_NUMBER_SYSTEM, "value": mother_nhs}] if mother_nhs else []
    if local:
        identifiers.append({"system": f"{PRODUCT_BASE}/id/{source}", "value": local})
    return {
        "resourceType": "RelatedPerson",
        "id": f"mth-{baby_id}",
        "patient": {"reference": f"Patient/{baby_id}"},
        "relationship": [{"coding": [{"code": "MTH"}]}],
        "identifier": identifiers,
    }


def by_id(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {i.patient_id: i for i in identities(resources)}


def test_the_same_baby_links_by_nhs_number_across_systems() -> None:
    found = by_id(
        [
            patient("mat-baby", "maternity", nhs=BABY_NHS, birth_date="2024-03-01"),
            mother_link("mat-baby", mother_nhs=MOTHER_NHS),
            patient("nnu-baby", "neonatal", nhs=BABY_NHS, birth_date="2024-03-01"),
            mother_link("nnu-baby", mother_nhs=MOTHER_NHS),
            patient("mat-mother", "maternity", nhs=MOTHER_NHS),
        ]
    )
    assert found["mat-baby"].role == found["nnu-baby"].role == "baby"
    assert found["mat-baby"].person_key == found["nnu-baby"].person_key
    assert found["mat-mother"].role == "mother"
    assert found["mat-baby"].family_key == found["mat-mother"].person_key
    assert found["nnu-baby"].source_system == "neonatal"
    assert MOTHER_NHS not in found["mat-mother"].person_key  # keys are hashed


def test_a_baby_without_an_nhs_number_links_by_mother_birth_date_and_order() -> None:
    found = by_id(
        [
            patient("mat-twin-2", "maternity", nhs=BABY_NHS, birth_date="2024-03-01", order=2),
            mother_link("mat-twin-2", mother_nhs=MOTHER_NHS),
            patient("nnu-twin-2", "neonatal", birth_date="2024-03-01T04:10:00Z", order=2),
            mother_link("nnu-twin-2", mother_nhs=MOTHER_NHS),
            patient("nnu-twin-1", "neonatal", birth_date="2024-03-01", order=1),
            mother_link("nnu-twin-1", mother_nhs=MOTHER_NHS),
        ]
    )
    assert found["nnu-twin-2"].person_key != found["nnu-twin-1"].person_key
    assert found["nnu-twin-2"].family_key == found["nnu-twin-1"].family_key
    # The maternity twin has its own NHS number, so it is matched through the family, not
    # the key: both records belong to the same mother.
    assert found["mat-twin-2"].family_key == found["nnu-twin-2"].family_key


def test_without_any_nhs_number_a_patient_is_known_by_its_local_identifier() -> None:
    found = by_id(
        [
            patient("hv-mother", "health_visiting", local="HV123"),
            patient("hv-child", "health_visiting", local="HV124"),
            mother_link("hv-child", mother_nhs=None, local="HV123", source="health_visiting"),
        ]
    )
    assert found["hv-mother"].role == "mother"
    assert found["hv-child"].role == "baby"
    assert found["hv-mother"].person_key.startswith("id:")
    assert found["hv-child"].family_key == found["hv-mother"].person_key
    assert "HV123" not in found["hv-mother"].person_key
