"""Small, pure constructors for the FHIR resource shapes the builders share, plus the declarative
`ObservationLine`: one data line of an extract that becomes one Observation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Literal
from zoneinfo import ZoneInfo

from fhir_mappings.extract_file import RowOrigin
from fhir_mappings.fhir import codes
from fhir_mappings.fhir.naming import NHS_NUMBER_SYSTEM, Naming, resource_id

Resource = dict[str, Any]
LONDON = ZoneInfo("Europe/London")  # extract times are local clock times


@lru_cache(maxsize=4096)  # a row's resources share a few times; the offset lookup is not cheap
def instant(value: datetime | date) -> str:
    """A FHIR dateTime: local times get their UK offset (GMT or BST) so they are unambiguous."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=LONDON).isoformat()
    return value.isoformat()


@dataclass(frozen=True)
class RowContext:
    """What every resource built from one row shares."""

    source_system: str
    row_key: str
    file_name: str
    naming: Naming

    def id(self, kind: str, key: str | None = None) -> str:
        return resource_id(self.source_system, kind, key if key is not None else self.row_key)

    def meta(self) -> dict[str, Any]:
        return {"source": self.naming.meta_source(self.source_system, self.file_name)}

    def identifier(self, kind: str, value: str) -> dict[str, str]:
        return {"system": self.naming.local_system(self.source_system, kind), "value": value}


def nhs_identifier(nhs_number: str | None) -> list[dict[str, str]]:
    return [{"system": NHS_NUMBER_SYSTEM, "value": nhs_number}] if nhs_number else []


def reference(resource: Resource) -> dict[str, str]:
    return {"reference": f"{resource['resourceType']}/{resource['id']}"}


def patient(
    context: RowContext,
    *,
    kind: str,
    key: str,
    identifiers: list[dict[str, str]],
    birth_date: date | None = None,
    birth_time: datetime | None = None,
    gender: str | None = None,
    postcode: str | None = None,
    ethnic_category: str | None = None,
    language: str | None = None,
    interpreter_required: bool | None = None,
    deceased: datetime | bool | None = None,
    general_practitioner: dict[str, Any] | None = None,
) -> Resource:
    resource: Resource = {
        "resourceType": "Patient",
        "id": context.id(kind, key),
        "meta": {**context.meta(), "profile": [codes.UK_CORE_PATIENT]},
    }
    # A mother the neonatal record names without an NHS number has no identifier, and FHIR JSON
    # has no empty arrays.
    if identifiers:
        resource["identifier"] = identifiers
    extensions: list[dict[str, Any]] = []
    if ethnic_category:
        extensions.append(
            {
                "url": codes.ETHNIC_CATEGORY_EXTENSION,
                "valueCodeableConcept": codes.value_concept("ethnic_category", ethnic_category),
            }
        )
    if interpreter_required is not None:
        extensions.append(
            {"url": codes.INTERPRETER_REQUIRED_EXTENSION, "valueBoolean": interpreter_required}
        )
    if extensions:
        resource["extension"] = extensions
    if gender:
        resource["gender"] = {"male": "male", "female": "female"}.get(gender, "other")
    born = birth_time.date() if birth_time else birth_date
    if born:
        resource["birthDate"] = born.isoformat()
    if birth_time:
        resource["_birthDate"] = {
            "extension": [{"url": codes.BIRTH_TIME_EXTENSION, "valueDateTime": instant(birth_time)}]
        }
    if isinstance(deceased, datetime):
        resource["deceasedDateTime"] = instant(deceased)
    elif deceased is not None:
        resource["deceasedBoolean"] = deceased
    if postcode:
        resource["address"] = [{"use": "home", "postalCode": postcode}]
    if language:
        resource["communication"] = [
            {"language": {"coding": [codes.coding(codes.BCP47, language)]}, "preferred": True}
        ]
    if general_practitioner:
        resource["generalPractitioner"] = [general_practitioner]
    return resource


def related_person(
    context: RowContext,
    *,
    kind: str,
    of_patient: Resource,
    relationship: str,
    identifiers: list[dict[str, str]],
    ethnic_category: str | None = None,
) -> Resource:
    resource: Resource = {
        "resourceType": "RelatedPerson",
        "id": context.id(kind),
        "meta": context.meta(),
        "patient": reference(of_patient),
        "relationship": [{"coding": [codes.coding(codes.ROLE_CODE, relationship)]}],
    }
    if identifiers:
        resource["identifier"] = identifiers
    if ethnic_category:
        resource["extension"] = [
            {
                "url": codes.ETHNIC_CATEGORY_EXTENSION,
                "valueCodeableConcept": codes.value_concept("ethnic_category", ethnic_category),
            }
        ]
    return resource


ValueKind = Literal["quantity", "integer", "code", "boolean", "string", "date"]


@dataclass(frozen=True)
class ObservationLine:
    """One canonical field that becomes one Observation."""

    field: str
    code: str  # a concept in `codes` (national where confirmed, else local)
    subject: str  # the role the row context maps to a resource: mother, baby, child
    effective: str  # the canonical field holding when it was observed
    value: ValueKind
    unit: str | None = None
    value_set: str | None = None
    category: str | None = None
    focus: str | None = None  # e.g. the father, for facts about him recorded on the baby
    # The field whose value identifies the observation: the row's key unless the fact belongs to
    # something several rows share (a delivery with twins).
    key: str | None = None


def observation(
    context: RowContext,
    line: ObservationLine,
    record: dict[str, Any],
    subjects: dict[str, Resource],
    encounter: Resource | None,
    kind: str = "observation",
) -> Resource | None:
    """`kind` keeps apart the ids of the same fact recorded at different encounters (at the
    booking of a pregnancy still to give birth, and at a delivery sharing its id)."""
    value = record.get(line.field)
    if value is None or line.subject not in subjects:
        return None
    resource: Resource = {
        "resourceType": "Observation",
        "id": context.id(f"{kind}:{line.field}", record[line.key] if line.key else None),
        "meta": context.meta(),
        "status": "final",
        "code": codes.concept(line.code),
        "subject": reference(subjects[line.subject]),
    }
    if line.category:
        resource["category"] = [
            {"coding": [codes.coding(codes.OBSERVATION_CATEGORY, line.category)]}
        ]
    if line.focus and line.focus in subjects:
        resource["focus"] = [reference(subjects[line.focus])]
    if encounter is not None:
        resource["encounter"] = reference(encounter)
    when = record.get(line.effective)
    if when is not None:
        resource["effectiveDateTime"] = instant(when)
    resource.update(_value(line, value))
    return resource


def _value(line: ObservationLine, value: Any) -> dict[str, Any]:
    if line.value == "quantity":
        return {
            "valueQuantity": {
                "value": value,
                "unit": line.unit,
                "system": codes.UCUM,
                "code": line.unit,
            }
        }
    if line.value == "integer":
        return {"valueInteger": int(value)}
    if line.value == "code":
        return {"valueCodeableConcept": codes.value_concept(line.value_set or "", value)}
    if line.value == "boolean":
        return {"valueBoolean": bool(value)}
    if line.value == "date":
        return {"valueDateTime": instant(value)}
    return {"valueString": str(value)}


def provenance(
    context: RowContext,
    targets: list[Resource],
    *,
    sources: Sequence[RowOrigin],
    recorded: datetime,
) -> Resource:
    """Which source rows produced these resources: for each, the file (or table), its checksum
    and the row number."""
    return {
        "resourceType": "Provenance",
        "id": context.id("provenance"),
        "meta": context.meta(),
        "target": [reference(t) for t in targets],
        "recorded": recorded.isoformat(),
        "activity": {
            "coding": [
                codes.coding("http://terminology.hl7.org/CodeSystem/v3-DataOperation", "CREATE")
            ]
        },
        "agent": [{"who": {"display": f"{context.source_system} extract"}}],
        "entity": [
            {
                "role": "source",
                "what": {
                    "identifier": {
                        "system": "urn:ietf:rfc:6920",
                        "value": f"sha-256;{source.sha256}",
                    },
                    "display": source.where,
                },
            }
            for source in sources
        ],
    }
