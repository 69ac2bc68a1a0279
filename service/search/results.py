"""Run a search: one page of matches in order, the total, the resources `_include` and
`_revinclude` bring along, and the cursors of the neighbouring pages."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from service.search import sql
from service.search.definitions import parameters_for
from service.search.extract import index_entries
from service.search.request import Link, PageCursor, SearchRequest
from service.storage.bulk import keys_by_type, matching
from service.storage.models import FhirResource, SearchReference


@dataclass
class SearchResults:
    total: int
    matches: list[dict[str, Any]] = field(default_factory=list)
    included: list[dict[str, Any]] = field(default_factory=list)
    next_page: PageCursor | None = None
    previous_page: PageCursor | None = None


def run_search(session: Session, request: SearchRequest) -> SearchResults:
    if request.cursor is not None:
        typed = sql.cursor_value(request, request.cursor.sort_value)
        request = replace(request, cursor=replace(request.cursor, sort_value=typed))
    total = session.execute(sql.total(request)).scalar_one()
    if request.summary_count:
        return SearchResults(total)
    rows = list(session.execute(sql.page(request)).all())
    more = len(rows) > request.count
    rows = rows[: request.count]
    cursor = request.cursor
    backwards = cursor is not None and cursor.direction == "before"
    if backwards:
        rows.reverse()
    results = SearchResults(total, matches=[resource for _, _, resource in rows])
    if rows:
        first, last = rows[0], rows[-1]
        if more or backwards:
            results.next_page = PageCursor("after", last.sort_value, last.id)
        if cursor is not None and (more or not backwards):
            results.previous_page = PageCursor("before", first.sort_value, first.id)
    results.included = _included(session, request, results.matches)
    return results


def _included(
    session: Session, request: SearchRequest, page: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    if not page:
        return []
    wanted: set[tuple[str, str]] = set()
    for link in request.includes:  # read from the matches themselves: they are in hand
        parameter = parameters_for(link.source_type)[link.parameter]
        for resource in page:
            wanted.update(
                (target_type, target_id)
                for name, target_type, target_id in index_entries(resource).references
                if name == parameter.indexed_as
                and (not parameter.alias_of or target_type in parameter.targets)
                and (link.target_type is None or target_type == link.target_type)
            )
    ids = [resource["id"] for resource in page]
    for link in request.revincludes:
        reverse = select(SearchReference.resource_id).where(
            SearchReference.resource_type == link.source_type,
            SearchReference.target_type == request.resource_type,
            *_link_rows(link),
        )
        for chunk in matching(session, SearchReference.target_id, ids):
            found = session.scalars(reverse.where(chunk))
            wanted.update((link.source_type, resource_id) for resource_id in found)
    wanted -= {(request.resource_type, resource_id) for resource_id in ids}
    return current_resources(session, wanted)


def _link_rows(link: Link) -> list[ColumnElement[bool]]:
    """The index rows a link follows: its parameter's (an alias's, narrowed to its targets)."""
    parameter = parameters_for(link.source_type)[link.parameter]
    rows = [SearchReference.param == parameter.indexed_as]
    if parameter.alias_of:
        rows.append(SearchReference.target_type.in_(parameter.targets))
    if link.target_type:
        rows.append(SearchReference.target_type == link.target_type)
    return rows


def current_resources(session: Session, keys: Iterable[tuple[str, str]]) -> list[dict[str, Any]]:
    """The current versions of these resources (deleted ones left out), in a stable order."""
    found: list[dict[str, Any]] = []
    for resource_type, chunk in keys_by_type(session, FhirResource.id, keys):
        found.extend(
            session.scalars(
                select(FhirResource.resource)
                .where(
                    FhirResource.resource_type == resource_type,
                    FhirResource.deleted.is_(False),
                    chunk,
                )
                .order_by(FhirResource.id)
            )
        )
    return found
