"""The FHIR side of an alert (pure): each notice is a `Communication` about the indicator's
`Measure`, and a data-quality alert is also a `DetectedIssue`. A resolved notice's
Communication answers the first one (`inResponseTo`). Subscribers are told of both."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from alerts.notify.message import AlertNotice, evidence_lines

PRODUCT_BASE = "https://fhir.perinatal-equity.example"
ALERT_CODES = f"{PRODUCT_BASE}/CodeSystem/perinatal-alert"
ALERT_IDENTIFIER = f"{PRODUCT_BASE}/alert-fingerprint"
CATEGORY = {"system": ALERT_CODES, "code": "perinatal-alert", "display": "Perinatal equity alert"}
PRIORITY = {"high": "urgent", "medium": "asap", "low": "routine"}
ISSUE_SEVERITY = {"high": "high", "medium": "moderate", "low": "low"}


def communication(
    notice: AlertNotice, resource_id: str, sent_at: datetime, in_response_to: str | None
) -> dict[str, Any]:
    text = "\n".join([notice.summary, *evidence_lines(notice.evidence), notice.chart_url])
    resource: dict[str, Any] = {
        "resourceType": "Communication",
        "id": resource_id,
        "identifier": [{"system": ALERT_IDENTIFIER, "value": notice.fingerprint}],
        "status": "completed",
        "category": [{"coding": [CATEGORY]}],
        "priority": PRIORITY.get(notice.severity, "routine"),
        "about": [{"reference": f"Measure/{notice.indicator_id}"}],
        "sent": sent_at.isoformat(),
        "reasonCode": [
            {
                "coding": [{"system": ALERT_CODES, "code": notice.rule_id}],
                "text": f"{notice.kind}: {notice.summary}",
            }
        ],
        "payload": [{"contentString": text}],
    }
    if in_response_to:
        resource["inResponseTo"] = [{"reference": f"Communication/{in_response_to}"}]
    return resource


def detected_issue(
    notice: AlertNotice, resource_id: str, identified_at: datetime
) -> dict[str, Any]:
    return {
        "resourceType": "DetectedIssue",
        "id": resource_id,
        "identifier": [{"system": ALERT_IDENTIFIER, "value": notice.fingerprint}],
        "status": "cancelled" if notice.kind == "resolved" else "final",
        "code": {"coding": [{"system": ALERT_CODES, "code": notice.rule_id}]},
        "severity": ISSUE_SEVERITY.get(notice.severity, "low"),
        "identifiedDateTime": identified_at.isoformat(),
        "implicated": [{"reference": f"Measure/{notice.indicator_id}"}],
        "detail": "\n".join([notice.summary, *evidence_lines(notice.evidence)]),
        "reference": notice.chart_url,
    }
