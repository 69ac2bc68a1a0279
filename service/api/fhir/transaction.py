"""Batch and transaction Bundles (FHIR R4 §3.1.0.11), POSTed to the base.

A transaction is all or nothing: one database transaction, entries processed in the order the
specification sets (DELETE, POST, PUT, GET), `urn:uuid:` and conditional references
(`Patient?identifier=…`) resolved to the ids the server chose or found; any failing entry
rolls everything back and the answer names the entry. Plain creates and updates are written
together in one batch, so a large transaction costs a handful of statements, not one per
entry. A batch runs each entry on its own and answers each with its own status."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from service.api.audit import Action, audit_event
from service.api.fhir import bundles, interactions
from service.api.fhir.context import fhir_base, json_format, sessions
from service.api.fhir.interactions import matching_ids
from service.api.fhir.outcome import FhirError, operation_outcome
from service.api.fhir.read import version_response
from service.api.fhir.request_body import checked_resource, json_body
from service.api.fhir.resource_types import STORED_TYPES, WRITABLE_TYPES
from service.api.fhir.responses import fhir_json
from service.api.security import authorise, require
from service.search.request import SearchRequestError, parse_search
from service.search.results import run_search
from service.storage import resource_reads
from service.storage.resource_writes import write_resources

router = APIRouter(
    prefix="/fhir", tags=["fhir"], dependencies=[Depends(json_format), Depends(authorise)]
)
PROCESSING_ORDER = {"DELETE": 0, "POST": 1, "PUT": 2, "GET": 3}
STATUS_TEXT = {200: "200 OK", 201: "201 Created", 204: "204 No Content"}
ACTION: dict[str, Action] = {"POST": "C", "PUT": "U", "DELETE": "D"}


@dataclass
class EntryRequest:
    """One entry's request, read and checked before anything is written."""

    index: int
    method: str
    resource_type: str
    resource_id: str | None = None
    query: str | None = None
    resource: dict[str, Any] | None = None
    full_url: str | None = None
    if_match: str | None = None
    if_none_exist: str | None = None
    answer: dict[str, Any] = field(default_factory=dict)


@router.post("")
@router.post("/", include_in_schema=False)  # the base with a trailing slash, as some clients send
async def process_bundle(request: Request) -> Response:
    bundle = await json_body(request)
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise FhirError(400, "invalid", "POST a Bundle to the base", expression="resourceType")
    kind = bundle.get("type")
    if kind not in ("batch", "transaction"):
        raise FhirError(
            400,
            "invalid",
            f"Bundle.type must be batch or transaction, not {kind!r}",
            expression="Bundle.type",
        )
    entries = bundle.get("entry") or []
    limit = request.app.state.settings.bundle_max_entries
    if len(entries) > limit:
        raise FhirError(
            413, "too-costly", f"the Bundle has {len(entries)} entries; at most {limit}"
        )
    base = fhir_base(request)
    if kind == "transaction":
        plans = [_parse_entry(request, base, i, entry) for i, entry in enumerate(entries)]
        with sessions(request).begin() as session:
            _run_transaction(request, session, base, plans)
        answers = [plan.answer for plan in plans]
    else:
        answers = [_run_batch_entry(request, base, i, entry) for i, entry in enumerate(entries)]
    return fhir_json({"resourceType": "Bundle", "type": f"{kind}-response", "entry": answers})


def _parse_entry(request: Request, base: str, index: int, entry: Any) -> EntryRequest:
    where = f"Bundle.entry[{index}]"
    if not isinstance(entry, dict) or not isinstance(entry.get("request"), dict):
        raise FhirError(400, "required", f"{where}: every entry needs a request", expression=where)
    method = str(entry["request"].get("method", "")).upper()
    if method not in PROCESSING_ORDER:
        raise FhirError(
            400,
            "not-supported",
            f"{where}: method {method or 'none'} is not offered",
            expression=f"{where}.request.method",
        )
    url = str(entry["request"].get("url", "")).removeprefix(base).lstrip("/")
    path, _, query = url.partition("?")
    resource_type, _, resource_id = path.partition("/")
    if resource_type not in STORED_TYPES or (
        method != "GET" and resource_type not in WRITABLE_TYPES
    ):
        raise FhirError(
            404,
            "not-supported",
            f"{where}: {resource_type!r} cannot be {method} here",
            expression=f"{where}.request.url",
        )
    plan = EntryRequest(
        index,
        method,
        resource_type,
        resource_id or None,
        query or None,
        full_url=entry.get("fullUrl"),
        if_match=entry["request"].get("ifMatch"),
        if_none_exist=entry["request"].get("ifNoneExist"),
    )
    if method == "PUT" and not (plan.resource_id or plan.query):
        raise FhirError(
            400,
            "invalid",
            f"{where}: PUT needs an id or a search in its url",
            expression=f"{where}.request.url",
        )
    if method == "DELETE" and not plan.resource_id:
        raise FhirError(
            400,
            "not-supported",
            f"{where}: conditional delete is not offered",
            expression=f"{where}.request.url",
        )
    if method in ("POST", "PUT"):
        plan.resource = checked_resource(entry.get("resource"), resource_type, where=f"{where}: ")
    require(request, "read" if method == "GET" else "write", resource_type)
    return plan


def _run_transaction(
    request: Request, session: Session, base: str, plans: list[EntryRequest]
) -> None:
    now = request.app.state.clock()
    ordered = sorted(plans, key=lambda p: (PROCESSING_ORDER[p.method], p.index))
    for plan in (p for p in ordered if p.method == "DELETE"):
        assert plan.resource_id is not None
        with _blaming(plan):
            interactions.delete(session, plan.resource_type, plan.resource_id, now=now)
        plan.answer = {"response": {"status": STATUS_TEXT[204]}}
    writes = [p for p in ordered if p.method in ("POST", "PUT")]
    assigned = _assign_ids(session, writes)
    for plan in writes:
        if plan.resource is not None:
            with _blaming(plan):
                plan.resource = _resolved(session, plan.resource, assigned)
    _write_together(request, session, writes, now=now)
    for plan in (p for p in ordered if p.method == "GET"):
        with _blaming(plan):
            plan.answer = _read_entry(session, base, plan)


def _assign_ids(session: Session, writes: list[EntryRequest]) -> dict[str, str]:
    """Each write's id (new, the client's, or found by its condition); returns the references
    that `fullUrl`s stand for."""
    assigned: dict[str, str] = {}
    seen: set[tuple[str, str]] = set()
    for plan in writes:
        with _blaming(plan):
            condition = plan.if_none_exist if plan.method == "POST" else plan.query
            found = (
                matching_ids(session, plan.resource_type, condition, header="the condition")
                if condition
                else []
            )
            if len(found) > 1:
                raise FhirError(
                    412, "multiple-matches", f"the condition matches {len(found)} resources"
                )
            if plan.method == "POST":
                if found:  # conditional create of something that exists: nothing to write
                    plan.answer = {
                        "response": {
                            "status": STATUS_TEXT[200],
                            "location": f"{plan.resource_type}/{found[0]}",
                        }
                    }
                    plan.resource = None
                plan.resource_id = found[0] if found else str(uuid.uuid4())
            elif plan.query:
                plan.resource_id = (
                    found[0] if found else (plan.resource or {}).get("id") or str(uuid.uuid4())
                )
            elif (plan.resource or {}).get("id") != plan.resource_id:
                raise FhirError(
                    400, "invalid", "the resource's id must be the url's", expression="id"
                )
            key = (plan.resource_type, str(plan.resource_id))
            if key in seen:
                raise FhirError(
                    400, "invalid", f"{key[0]}/{key[1]} is written twice in one transaction"
                )
            seen.add(key)
            if plan.resource is not None:
                plan.resource = {**plan.resource, "id": plan.resource_id}
        if plan.full_url:
            assigned[plan.full_url] = f"{plan.resource_type}/{plan.resource_id}"
    return assigned


def _resolved(
    session: Session, resource: dict[str, Any], assigned: dict[str, str]
) -> dict[str, Any]:
    """The resource with `urn:uuid:` and conditional references replaced by real ones."""

    def visit(node: Any) -> Any:
        if isinstance(node, list):
            return [visit(item) for item in node]
        if not isinstance(node, dict):
            return node
        copied = {key: visit(value) for key, value in node.items()}
        reference = copied.get("reference")
        if isinstance(reference, str):
            if reference in assigned:
                copied["reference"] = assigned[reference]
            elif reference.startswith("urn:uuid:"):
                raise FhirError(400, "invalid", f"{reference} is not the fullUrl of any entry")
            elif "?" in reference:
                target_type = reference.split("?", 1)[0]
                found = matching_ids(
                    session, target_type, reference, header="a conditional reference"
                )
                if len(found) != 1:
                    raise FhirError(
                        412,
                        "multiple-matches" if found else "not-found",
                        f"the conditional reference {target_type}?… matches {len(found)} resources",
                    )
                copied["reference"] = f"{target_type}/{found[0]}"
        return copied

    resolved: dict[str, Any] = visit(resource)
    return resolved


def _write_together(
    request: Request, session: Session, writes: list[EntryRequest], *, now: datetime
) -> None:
    to_write = [p for p in writes if p.resource is not None]
    for plan in to_write:
        if plan.if_match is not None:
            with _blaming(plan):
                before = resource_reads.current(session, plan.resource_type, str(plan.resource_id))
                have = None if before is None or before.deleted else str(before.version_id)
                if plan.if_match.removeprefix("W/").strip('"') != have:
                    raise FhirError(412, "conflict", f"the resource is at version {have or 'none'}")
    statuses = write_resources(session, [p.resource for p in to_write if p.resource], now=now)
    keys = [(p.resource_type, str(p.resource_id)) for p in to_write]
    versions = resource_reads.current_versions(session, keys)
    client = request.state.api_client
    events = []
    for plan, key in zip(to_write, keys, strict=True):
        version, last_updated = versions[key]
        status = 201 if statuses.get(key) == "created" else 200
        plan.answer = {
            "response": {
                "status": STATUS_TEXT[status],
                "location": f"{key[0]}/{key[1]}/_history/{version}",
                "etag": f'W/"{version}"',
                "lastModified": last_updated.isoformat(),
            }
        }
        events.append(
            audit_event(
                client,
                action=ACTION[plan.method],
                interaction="transaction",
                status=status,
                now=now,
                entities=[f"{key[0]}/{key[1]}"],
            )
        )
    write_resources(session, events, now=now)


def _read_entry(session: Session, base: str, plan: EntryRequest) -> dict[str, Any]:
    if plan.resource_id:
        stored = resource_reads.current(session, plan.resource_type, plan.resource_id)
        response = version_response(plan.resource_type, plan.resource_id, stored)
        assert stored is not None
        return {
            "resource": stored.resource,
            "response": {"status": STATUS_TEXT[200], "etag": response.headers["etag"]},
        }
    query = parse_qsl(plan.query or "", keep_blank_values=True)
    try:
        search_request = parse_search(plan.resource_type, query)
    except SearchRequestError as error:
        raise FhirError(400, "invalid", str(error), expression=error.parameter) from None
    results = run_search(session, search_request)
    bundle = bundles.searchset(
        base, plan.resource_type, query, results, ignored=search_request.ignored
    )
    return {"resource": bundle, "response": {"status": STATUS_TEXT[200]}}


def _run_batch_entry(request: Request, base: str, index: int, entry: Any) -> dict[str, Any]:
    """One batch entry on its own: its failure is its answer, not the Bundle's."""
    try:
        plan = _parse_entry(request, base, index, entry)
        with sessions(request).begin() as session:
            _run_transaction(request, session, base, [plan])
        return plan.answer
    except FhirError as error:
        outcome = operation_outcome(error.code, error.diagnostics, expression=error.expression)
        return {"response": {"status": str(error.status), "outcome": outcome}}


@contextmanager
def _blaming(plan: EntryRequest) -> Iterator[None]:
    """Name the entry in any error raised while processing it."""
    try:
        yield
    except FhirError as error:
        where = f"Bundle.entry[{plan.index}]"
        expression = f"{where}.resource.{error.expression}" if error.expression else where
        raise FhirError(
            error.status, error.code, f"{where}: {error.diagnostics}", expression=expression
        ) from None
