"""What every `/fhir` route shares: the JSON-only format check, the database session, the base
URL, which resource types are stored here, and the client's `Prefer` choices."""

from __future__ import annotations

from fastapi import Query, Request
from sqlalchemy.orm import Session, sessionmaker
from starlette.convertors import StringConvertor, register_url_convertor

from service.api.fhir.outcome import FhirError
from service.api.fhir.resource_types import SERVED_TYPES, STORED_TYPES
from service.api.fhir.responses import JSON_FORMATS


class ResourceTypeConvertor(StringConvertor):
    """A path segment that can be a resource type: `Patient`, never `metadata` or `$export`."""

    regex = "[A-Z][A-Za-z]{1,63}"


class ResourceIdConvertor(StringConvertor):
    """A FHIR id (R4 §2.24.0.1: letters, digits, `-` and `.`, at most 64): never `_history`,
    `_search` or `$validate`, so those routes never need to come before the read route."""

    regex = "[A-Za-z0-9.\\-]{1,64}"


register_url_convertor("fhir_type", ResourceTypeConvertor())
register_url_convertor("fhir_id", ResourceIdConvertor())


async def json_format(format_: str | None = Query(None, alias="_format")) -> None:
    # async: it does no I/O, so it runs on the event loop instead of costing a thread hop.
    if format_ is not None and format_ not in JSON_FORMATS:
        raise FhirError(406, "not-supported", f"_format {format_!r} is not offered: use json")


def sessions(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.sessions
    return factory


def read_sessions(request: Request) -> sessionmaker[Session]:
    """Sessions for reading only, in autocommit: no BEGIN and ROLLBACK around each statement,
    which on PostgreSQL are two extra round trips per read (under READ COMMITTED every
    statement has its own snapshot either way)."""
    factory: sessionmaker[Session] = request.app.state.read_sessions
    return factory


def fhir_base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/fhir"


def served_type(resource_type: str) -> None:
    if resource_type not in SERVED_TYPES:
        raise FhirError(404, "not-supported", f"resource type {resource_type!r} is not served here")


def stored_type(resource_type: str) -> None:
    if resource_type not in STORED_TYPES:
        raise FhirError(404, "not-supported", f"resource type {resource_type!r} is not stored here")


def prefers(request: Request, preference: str) -> bool:
    """Whether the `Prefer` header asks for e.g. `handling=strict` or `respond-async`."""
    wanted = request.headers.get("prefer", "")
    return preference in (part.strip() for part in wanted.split(","))
