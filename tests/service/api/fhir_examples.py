"""Synthetic resources with a value for every declared search parameter (no real person)."""

from __future__ import annotations

from typing import Any

NHS = "https://fhir.nhs.uk/Id/nhs-number"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
TERMINOLOGY = "http://terminology.hl7.org/CodeSystem"
LOCAL = "https://fhir.perinatal-equity.example/Id/maternity-mother"


def coded(system: str, code: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code}]}


MOTHER = {
    "resourceType": "Patient",
    "id": "m1",
    "identifier": [{"system": NHS, "value": "9990000018"}, {"system": LOCAL, "value": "M-001"}],
    "name": [{"family": "Öztürk", "given": ["Ada"]}],
    "gender": "female",
    "birthDate": "1990-04-12",
    "address": [{"postalCode": "LS1 4AP"}],
    "generalPractitioner": [{"reference": "Organization/gp-1"}],
}
BABY = {
    "resourceType": "Patient",
    "id": "b1",
    "identifier": [{"system": LOCAL, "value": "B-001"}],
    "gender": "male",
    "birthDate": "2024-03-05",
}
MOTHER_OF_BABY = {
    "resourceType": "RelatedPerson",
    "id": "rp1",
    "identifier": [{"system": LOCAL, "value": "M-001"}],
    "patient": {"reference": "Patient/b1"},
    "relationship": [coded(f"{TERMINOLOGY}/v3-RoleCode", "MTH")],
}
BIRTH_ENCOUNTER = {
    "resourceType": "Encounter",
    "id": "e1",
    "identifier": [{"system": LOCAL, "value": "E-001"}],
    "status": "finished",
    "class": {"system": f"{TERMINOLOGY}/v3-ActCode", "code": "IMP"},
    "type": [coded(SNOMED, "236973005")],
    "subject": {"reference": "Patient/m1"},
    "period": {"start": "2024-03-04T22:00:00Z", "end": "2024-03-06T10:00:00Z"},
    "serviceProvider": {"reference": "Organization/trust-1"},
}
BIRTH_WEIGHT = {
    "resourceType": "Observation",
    "id": "o1",
    "identifier": [{"system": LOCAL, "value": "O-001"}],
    "status": "final",
    "category": [coded(f"{TERMINOLOGY}/observation-category", "vital-signs")],
    "code": coded(LOINC, "8339-4"),
    "subject": {"reference": "Patient/b1"},
    "encounter": {"reference": "Encounter/e1"},
    "effectiveDateTime": "2024-03-05T08:30:00Z",
    "valueQuantity": {"value": 3250, "system": "http://unitsofmeasure.org", "code": "g"},
}
FEEDING = {
    "resourceType": "Observation",
    "id": "o2",
    "status": "final",
    "code": coded(SNOMED, "169740003"),
    "subject": {"reference": "Patient/b1"},
    "effectiveDateTime": "2024-03-06",
    "valueCodeableConcept": coded(SNOMED, "1217006"),
}
HIE = {
    "resourceType": "Condition",
    "id": "c1",
    "identifier": [{"system": LOCAL, "value": "C-001"}],
    "clinicalStatus": coded(f"{TERMINOLOGY}/condition-clinical", "active"),
    "category": [coded(f"{TERMINOLOGY}/condition-category", "encounter-diagnosis")],
    "severity": coded(SNOMED, "6736007"),
    "code": coded(SNOMED, "703300001"),
    "subject": {"reference": "Patient/b1"},
    "encounter": {"reference": "Encounter/e1"},
    "onsetDateTime": "2024-03-05",
    "recordedDate": "2024-03-06",
}
TEAR_REPAIR = {
    "resourceType": "Procedure",
    "id": "pr1",
    "identifier": [{"system": LOCAL, "value": "P-001"}],
    "status": "completed",
    "category": coded(SNOMED, "387713003"),
    "code": coded(SNOMED, "288194000"),
    "subject": {"reference": "Patient/m1"},
    "encounter": {"reference": "Encounter/e1"},
    "performedDateTime": "2024-03-05T08:00:00Z",
}
REFERRAL = {
    "resourceType": "ServiceRequest",
    "id": "sr1",
    "identifier": [{"system": LOCAL, "value": "R-001"}],
    "status": "active",
    "intent": "order",
    "category": [coded(SNOMED, "3457005")],
    "code": coded(SNOMED, "698313004"),
    "subject": {"reference": "Patient/m1"},
    "encounter": {"reference": "Encounter/e1"},
    "authoredOn": "2024-05-01",
}
PROVENANCE = {
    "resourceType": "Provenance",
    "id": "pv1",
    "target": [{"reference": "Patient/m1"}, {"reference": "Observation/o1"}],
    "recorded": "2024-03-07T00:00:00Z",
    "agent": [{"who": {"reference": "Organization/trust-1"}}],
}
AUDIT = {
    "resourceType": "AuditEvent",
    "id": "ae1",
    "type": {"system": f"{TERMINOLOGY}/audit-event-type", "code": "rest"},
    "subtype": [{"system": "http://hl7.org/fhir/restful-interaction", "code": "read"}],
    "action": "R",
    "recorded": "2024-03-08T09:00:00Z",
    "outcome": "0",
    "agent": [{"who": {"reference": "Device/client-1"}, "name": "api-client-x", "requestor": True}],
    "source": {"observer": {"display": "test"}},
    "entity": [{"what": {"reference": "Patient/m1"}}],
}
NOTE = {
    "resourceType": "QuestionnaireResponse",
    "id": "qr1",
    "questionnaire": "https://fhir.perinatal-equity.example/Questionnaire/indicator-note",
    "status": "completed",
    "subject": {"reference": "Measure/oasi"},
    "authored": "2024-03-09T10:00:00Z",
    "author": {"reference": "Organization/trust-1"},
    "item": [{"linkId": "text", "answer": [{"valueString": "Two midwives on leave."}]}],
}
ALERT_CODES = "https://fhir.perinatal-equity.example/CodeSystem/perinatal-alert"
ALERT_NOTICE = {
    "resourceType": "Communication",
    "id": "alert-c1",
    "identifier": [
        {"system": "https://fhir.perinatal-equity.example/alert-fingerprint", "value": "f1"}
    ],
    "status": "completed",
    "category": [{"coding": [{"system": ALERT_CODES, "code": "perinatal-alert"}]}],
    "priority": "urgent",
    "about": [{"reference": "Measure/oasi"}],
    "sent": "2024-03-10T02:00:00Z",
    "payload": [{"contentString": "OASI shows special-cause concern in 2024-02"}],
}
DATA_QUALITY_ISSUE = {
    "resourceType": "DetectedIssue",
    "id": "alert-d1",
    "identifier": [
        {"system": "https://fhir.perinatal-equity.example/alert-fingerprint", "value": "f2"}
    ],
    "status": "final",
    "code": {"coding": [{"system": ALERT_CODES, "code": "data_quality_gate"}]},
    "identifiedDateTime": "2024-03-10T02:00:00Z",
    "implicated": [{"reference": "Measure/oasi"}],
}
SUBSCRIPTION = {
    "resourceType": "Subscription",
    "id": "sub1",
    "status": "requested",
    "reason": "Tell the regional system of perinatal alerts",
    "criteria": "Communication?category=perinatal-alert",
    "channel": {"type": "rest-hook", "endpoint": "https://example.invalid/hook"},
}
EVERY_TYPE = [
    MOTHER,
    BABY,
    MOTHER_OF_BABY,
    BIRTH_ENCOUNTER,
    BIRTH_WEIGHT,
    FEEDING,
    HIE,
    TEAR_REPAIR,
    REFERRAL,
    PROVENANCE,
    AUDIT,
    NOTE,
    ALERT_NOTICE,
    DATA_QUALITY_ISSUE,
    SUBSCRIPTION,
]
