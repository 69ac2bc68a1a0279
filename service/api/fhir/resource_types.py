"""The resource types the service stores and serves, and the definitional resources it serves
read-only (its local CodeSystem). Declared once; the router and, later, the
CapabilityStatement read them."""

from __future__ import annotations

from functools import cache
from typing import Any

from fhir_mappings.fhir import codes, notes
from fhir_mappings.fhir.naming import CLINICAL_RESOURCE_TYPES

# AuditEvents are written by the service itself and served read-only.
# QuestionnaireResponses hold the narrative notes and service-user feedback on indicators.
# Alerts are written by the service as Communications (and DetectedIssues for data quality),
# served read-only; other systems register rest-hook Subscriptions to hear of them.
STORED_TYPES: tuple[str, ...] = (
    *CLINICAL_RESOURCE_TYPES,
    "Provenance",
    "AuditEvent",
    "QuestionnaireResponse",
    "Communication",
    "DetectedIssue",
    "Subscription",
)
WRITABLE_TYPES: tuple[str, ...] = (
    *CLINICAL_RESOURCE_TYPES,
    "Provenance",
    "QuestionnaireResponse",
    "Subscription",
)


@cache  # built once: every read asks whether it is for one of these
def served_definitions() -> dict[tuple[str, str], dict[str, Any]]:
    local = codes.local_code_system()
    note_form = notes.questionnaire()
    return {("CodeSystem", local["id"]): local, ("Questionnaire", note_form["id"]): note_form}


SERVED_TYPES: tuple[str, ...] = (*STORED_TYPES, "CodeSystem", "Questionnaire")
