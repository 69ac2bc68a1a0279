"""Narrative notes and service-user feedback on an indicator: written as FHIR
QuestionnaireResponses through the resource store (versioned, searchable, served by the API)
and read back as the notes that explain an indicator's numbers."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from fhir_mappings.fhir.notes import NOTE_KINDS, Note, note_response, read_note
from service.indicators.catalogue import load_catalogue
from service.indicators.errors import InvalidRequestError
from service.storage import resource_reads
from service.storage.models import SearchReference
from service.storage.resource_writes import write_resources

PERIOD_LENGTH = 7  # YYYY-MM


def add_note(sessions: sessionmaker[Session], note: Note, *, now: Callable[[], datetime]) -> str:
    """Store the note; returns the QuestionnaireResponse id."""
    catalogue = load_catalogue()
    catalogue.indicator(note.indicator_id)
    if note.kind not in NOTE_KINDS:
        raise InvalidRequestError(f"kind: one of {', '.join(NOTE_KINDS)}, not {note.kind!r}")
    if note.stratification not in catalogue.stratifications:
        raise InvalidRequestError(f"stratification: unknown {note.stratification!r}")
    if note.period is not None and (
        len(note.period) != PERIOD_LENGTH or note.period[4] != "-" or not note.period[:4].isdigit()
    ):
        raise InvalidRequestError(f"period: a month as YYYY-MM, not {note.period!r}")
    if not note.text.strip():
        raise InvalidRequestError("text: the note is empty")
    resource = {**note_response(note, authored=now()), "id": str(uuid.uuid4())}
    with sessions.begin() as session:
        write_resources(session, [resource], now=now())
    return str(resource["id"])


def notes_for(
    session: Session,
    indicator_id: str,
    *,
    stratification: str | None = None,
    stratum: str | None = None,
) -> list[dict[str, Any]]:
    """The notes on an indicator (optionally one group's), newest first."""
    ids = session.scalars(
        select(SearchReference.resource_id).where(
            SearchReference.resource_type == "QuestionnaireResponse",
            SearchReference.param == "subject",
            SearchReference.target_type == "Measure",
            SearchReference.target_id == indicator_id,
        )
    ).all()
    found = []
    for resource_id in ids:
        stored = resource_reads.current(session, "QuestionnaireResponse", resource_id)
        note = (
            read_note(stored.resource)
            if stored and not stored.deleted and stored.resource
            else None
        )
        if note is None:
            continue
        if stratification is not None and note.stratification != stratification:
            continue
        if stratum is not None and note.stratum != stratum:
            continue
        found.append(vars(note) | {"themes": list(note.themes)})
    return sorted(found, key=lambda n: n["authored"] or "", reverse=True)
