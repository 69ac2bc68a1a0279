"""R4 rest-hook Subscriptions registered through the FHIR API, and whether a resource the
product writes meets one's criteria. Criteria are `Type` or `Type?param=value&…` with token
parameters (`Communication?category=perinatal-alert`), matched against the resource's own
search index entries; any other parameter kind never matches, so nothing is sent by mistake."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.search.definitions import parameters_for
from service.search.extract import index_entries
from service.storage.models import FhirResource
from service.storage.resource_writes import write_resources

DELIVERABLE_STATUSES = ("requested", "active")


def active_rest_hooks(session: Session) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(FhirResource.resource).where(
            FhirResource.resource_type == "Subscription", FhirResource.deleted.is_(False)
        )
    )
    return [
        r
        for r in rows
        if r
        and r.get("status") in DELIVERABLE_STATUSES
        and (r.get("channel") or {}).get("type") == "rest-hook"
        and (r.get("channel") or {}).get("endpoint")
    ]


def matching_subscriptions(session: Session, resource: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in active_rest_hooks(session) if meets(s.get("criteria", ""), resource)]


def meets(criteria: str, resource: dict[str, Any]) -> bool:
    resource_type, _, query = criteria.partition("?")
    if resource_type != resource["resourceType"]:
        return False
    declared = parameters_for(resource_type)
    tokens = index_entries(resource).tokens
    for name, wanted in parse_qsl(query, keep_blank_values=True):
        parameter = declared.get(name)
        if parameter is None or parameter.type != "token":
            return False
        if not any(
            _token_matches(value, parameter.indexed_as, tokens) for value in wanted.split(",")
        ):
            return False
    return True


def _token_matches(value: str, indexed_as: str, tokens: set[tuple[str, str, str]]) -> bool:
    system, bar, code = value.rpartition("|")
    return any(
        name == indexed_as and code == token_code and (not bar or system == token_system)
        for name, token_system, token_code in tokens
    )


def record_outcome(
    session: Session, receiver: str, delivered: bool, error: str | None, now: datetime
) -> None:
    """R4's Subscription status follows what happens: a requested subscription becomes active
    on its first delivery; one the product gave up on is `error`, with the reason."""
    subscription_id = receiver.removeprefix("Subscription/")
    row = session.get(FhirResource, ("Subscription", subscription_id))
    if row is None or row.deleted or not row.resource:
        return
    current = row.resource
    if delivered and current.get("status") == "requested":
        changed = {**current, "status": "active"}
    elif not delivered and current.get("status") in DELIVERABLE_STATUSES:
        changed = {**current, "status": "error", "error": (error or "delivery failed")[:500]}
    else:
        return
    changed.pop("meta", None)
    write_resources(session, [changed], now=now)
