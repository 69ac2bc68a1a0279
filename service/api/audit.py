"""The audit trail: an `AuditEvent` for every create, update and delete and every read of a
patient's data, saying who (the client's digest name, never its token), what, when and with
what outcome. AuditEvents are FHIR resources in the same store, so they are searchable.

A successful write is audited in its own transaction, so the change and its record commit
together. Reads and failures are queued and written in batches at most a second later (and at
shutdown), so that auditing a read costs the read no database round trip. Reads by id of one
client within that second are one AuditEvent listing every resource read, with the `period`
from the first read to the last: a busy client's reads cost one record a second, not one each."""

from __future__ import annotations

import asyncio
import base64
import logging
import threading
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Literal

from fastapi import Request
from sqlalchemy.orm import Session, sessionmaker

from service.api.security import ApiClient
from service.clock import Clock
from service.storage.resource_writes import write_resources

logger = logging.getLogger(__name__)
Action = Literal["C", "R", "U", "D", "E"]
RESTFUL_INTERACTION = "http://hl7.org/fhir/restful-interaction"
AUDIT_EVENT_TYPE = "http://terminology.hl7.org/CodeSystem/audit-event-type"
# FHIR R4 AuditEvent.outcome: success, minor failure (the client's), serious failure (ours).
OUTCOME_BY_STATUS = {2: "0", 3: "0", 4: "4", 5: "8"}
FLUSH_SECONDS = 1.0
# Patient data: what the clinical records hold (AuditEvents and definitions are not).
NOT_PATIENT_DATA = {"AuditEvent", "CodeSystem", "*"}


def audit_event(
    client: ApiClient,
    *,
    action: Action,
    interaction: str,
    status: int,
    now: datetime,
    entities: Iterable[str] = (),
    query: str | None = None,
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "resourceType": "AuditEvent",
        "id": str(uuid.uuid4()),
        "type": {"system": AUDIT_EVENT_TYPE, "code": "rest", "display": "RESTful Operation"},
        "subtype": [{"system": RESTFUL_INTERACTION, "code": interaction}],
        "action": action,
        "recorded": now.isoformat(),
        "outcome": OUTCOME_BY_STATUS.get(status // 100, "8"),
        "agent": [{"who": {"display": client.name}, "name": client.name, "requestor": True}],
        "source": {"observer": {"display": "perinatal-equity FHIR API"}},
    }
    what: list[dict[str, Any]] = [
        {"what": {"reference": reference}} for reference in sorted(set(entities))
    ]
    if query:
        what.append({"query": base64.b64encode(query.encode()).decode()})
    if what:
        event["entity"] = what
    return event


def audit_write(
    request: Request,
    session: Session,
    *,
    interaction: str,
    action: Action,
    status: int,
    entity: str,
) -> None:
    """Record a successful write in the write's own transaction."""
    now = request.app.state.clock()
    event = audit_event(
        request.state.api_client,
        action=action,
        interaction=interaction,
        status=status,
        now=now,
        entities=[entity],
    )
    write_resources(session, [event], now=now)


def audit_read(
    request: Request,
    resource_type: str,
    *,
    interaction: str,
    entities: Iterable[str],
    query: str | None = None,
) -> None:
    if resource_type in NOT_PATIENT_DATA:
        return
    state = request.app.state
    if query is None:
        state.audit.read(request.state.api_client, interaction, entities, state.clock())
        return
    state.audit.later(
        audit_event(
            request.state.api_client,
            action="R" if interaction != "search-type" else "E",
            interaction=interaction,
            status=200,
            now=state.clock(),
            entities=entities,
            query=query,
        )
    )


def audit_failure(request: Request, status: int) -> None:
    """A refused or failed request by a known client (unknown callers are not recorded: they
    are nobody yet, and recording them would let anyone fill the audit store)."""
    client = getattr(request.state, "api_client", None)
    if client is None:
        return
    state = request.app.state
    entity = "/".join(
        request.path_params[p] for p in ("resource_type", "resource_id") if p in request.path_params
    )
    state.audit.later(
        audit_event(
            client,
            action="R" if request.method in ("GET", "HEAD") else "E",
            interaction=request.method.lower(),
            status=status,
            now=state.clock(),
            entities=[entity] if "/" in entity else [],
        )
    )


class AuditTrail:
    """Queued AuditEvents, written in batches by a background task."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock
        self._pending: list[dict[str, Any]] = []
        # (client, interaction) → (entities, first, last) of the reads since the last flush
        self._reads: dict[tuple[ApiClient, str], tuple[set[str], datetime, datetime]] = {}
        self._lock = threading.Lock()
        self._task: asyncio.Task[None] | None = None

    def later(self, event: dict[str, Any]) -> None:
        with self._lock:
            self._pending.append(event)

    def read(
        self, client: ApiClient, interaction: str, entities: Iterable[str], now: datetime
    ) -> None:
        with self._lock:
            read, first, _ = self._reads.get((client, interaction), (set(), now, now))
            read.update(entities)
            self._reads[(client, interaction)] = (read, first, now)

    def flush(self) -> int:
        with self._lock:
            events, self._pending = self._pending, []
            reads, self._reads = self._reads, {}
        for (client, interaction), (entities, first, last) in reads.items():
            event = audit_event(
                client, action="R", interaction=interaction, status=200, now=last, entities=entities
            )
            event["period"] = {"start": first.isoformat(), "end": last.isoformat()}
            events.append(event)
        if not events:
            return 0
        try:
            with self._sessions.begin() as session:
                write_resources(session, events, now=self._clock())
        except Exception:  # keep them for the next attempt rather than lose the trail
            logger.exception("could not write %d audit events; will retry", len(events))
            with self._lock:
                self._pending[:0] = events
            return 0
        return len(events)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
        await asyncio.to_thread(self.flush)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_SECONDS)
            await asyncio.to_thread(self.flush)
