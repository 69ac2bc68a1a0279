"""A search request as SQL over the index tables (pure: builds statements, runs none).

Each criterion is a semi-join `id IN (SELECT resource_id FROM search_<type> WHERE …)` answered
from the index's primary key; the database, never Python, decides which resources match."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, false, func, not_, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from service.search.dates import LATEST
from service.search.definitions import SearchParameter
from service.search.extract import normalise, reference_target
from service.search.request import Criterion, PageCursor, SearchRequest, date_bounds
from service.storage.models import (
    FhirResource,
    SearchDate,
    SearchReference,
    SearchString,
    SearchToken,
)
from service.storage.types import UtcDateTime

INDEX_TABLE: dict[str, Any] = {
    "token": SearchToken,
    "reference": SearchReference,
    "date": SearchDate,
    "string": SearchString,
}


def matches(request: SearchRequest) -> Select[Any]:
    """The ids of the current, undeleted resources matching every criterion."""
    return select(FhirResource.id).where(*_where(request))


def page(request: SearchRequest) -> Select[Any]:
    """One page (plus one row, to tell whether another follows): id, sort key, resource."""
    key = sort_key(request)
    descending = request.descending
    where = _where(request)
    cursor = request.cursor
    if cursor is not None:
        where.append(_beyond(key, cursor, descending))
    backwards = cursor is not None and cursor.direction == "before"
    ascending = descending == backwards
    order = (
        (key.asc(), FhirResource.id.asc()) if ascending else (key.desc(), FhirResource.id.desc())
    )
    return (
        select(FhirResource.id, key.label("sort_value"), FhirResource.resource)
        .where(*where)
        .order_by(*order)
        .limit(request.count + 1)
    )


def total(request: SearchRequest) -> Select[Any]:
    return select(func.count()).select_from(matches(request).subquery())


def sort_key(request: SearchRequest) -> ColumnElement[Any] | InstrumentedAttribute[Any]:
    parameter = request.sort
    if parameter is None or parameter.name == "_id":
        return FhirResource.id
    if parameter.column == "last_updated":
        return FhirResource.last_updated
    # The earliest date a resource carries for the parameter; those without one sort last.
    earliest = (
        select(func.min(SearchDate.low))
        .where(
            SearchDate.resource_type == request.resource_type,
            SearchDate.param == parameter.name,
            SearchDate.resource_id == FhirResource.id,
        )
        .scalar_subquery()
    )
    return func.coalesce(
        earliest, bindparam(None, LATEST, type_=UtcDateTime()), type_=UtcDateTime()
    )


def cursor_value(request: SearchRequest, raw: Any) -> Any:
    """A sort value from a decoded cursor, typed as the sort key compares it."""
    if request.sort is not None and request.sort.type == "date" and isinstance(raw, str):
        return datetime.fromisoformat(raw)
    return raw


def _beyond(
    key: ColumnElement[Any] | InstrumentedAttribute[Any], cursor: PageCursor, descending: bool
) -> ColumnElement[bool]:
    later = (cursor.direction == "after") != descending
    value = cursor.sort_value
    if later:
        return or_(key > value, and_(key == value, FhirResource.id > cursor.resource_id))
    return or_(key < value, and_(key == value, FhirResource.id < cursor.resource_id))


def _where(request: SearchRequest) -> list[ColumnElement[bool]]:
    where = [FhirResource.resource_type == request.resource_type, FhirResource.deleted.is_(False)]
    where.extend(_criterion(request.resource_type, c) for c in request.criteria)
    return where


def _criterion(resource_type: str, criterion: Criterion) -> ColumnElement[bool]:
    parameter = criterion.parameter
    if parameter.column is not None:
        return _on_column(parameter, criterion.values)
    table = INDEX_TABLE[parameter.type]
    indexed = select(table.resource_id).where(
        table.resource_type == resource_type, table.param == parameter.indexed_as
    )
    if parameter.alias_of:
        indexed = indexed.where(SearchReference.target_type.in_(parameter.targets))
    if criterion.modifier == "missing":
        present = FhirResource.id.in_(indexed)
        return not_(present) if criterion.values == ("true",) else present
    if criterion.modifier == "not":
        return not_(
            FhirResource.id.in_(indexed.where(or_(*_values(parameter, None, criterion.values))))
        )
    return FhirResource.id.in_(
        indexed.where(or_(*_values(parameter, criterion.modifier, criterion.values)))
    )


def _values(
    parameter: SearchParameter, modifier: str | None, values: tuple[str, ...]
) -> list[ColumnElement[bool]]:
    if parameter.type == "token":
        return [_token(value) for value in values]
    if parameter.type == "reference":
        return [_reference(parameter, modifier, value) for value in values]
    if parameter.type == "date":
        return [_date(value) for value in values]
    return [_string(modifier, value) for value in values]


def _token(value: str) -> ColumnElement[bool]:
    if "|" not in value:
        return SearchToken.code == value
    system, code = value.split("|", 1)
    if not code:
        return SearchToken.system == system
    return and_(SearchToken.system == system, SearchToken.code == code)


def _reference(parameter: SearchParameter, modifier: str | None, value: str) -> ColumnElement[bool]:
    target = reference_target(value)
    if target is not None:
        target_type, target_id = target
    else:
        target_type, target_id = modifier or "", value
        if not target_type and len(parameter.targets) == 1:
            target_type = parameter.targets[0]
    if modifier and modifier != target_type:
        return false()
    condition = SearchReference.target_id == target_id
    return and_(condition, SearchReference.target_type == target_type) if target_type else condition


def _date(value: str) -> ColumnElement[bool]:
    prefix, low, high = date_bounds(value)
    return _date_comparison(prefix, SearchDate.low, SearchDate.high, low, high)


def _date_comparison(
    prefix: str,
    resource_low: ColumnElement[Any] | Any,
    resource_high: ColumnElement[Any] | Any,
    low: datetime,
    high: datetime,
) -> ColumnElement[bool]:
    """Both ranges are half-open [low, high): FHIR R4 §3.1.1.4.2's prefixes over ranges."""
    if prefix == "eq":
        return and_(resource_low >= low, resource_high <= high)
    if prefix == "ne":
        return or_(resource_low < low, resource_high > high)
    if prefix == "gt":
        return resource_high > high
    if prefix == "lt":
        return resource_low < low
    if prefix == "ge":
        return resource_high > low
    return resource_low < high  # le


def _string(modifier: str | None, value: str) -> ColumnElement[bool]:
    if modifier == "exact":
        return SearchString.exact == value
    pattern = normalise(value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    if modifier == "contains":
        return SearchString.normalised.like(f"%{pattern}%", escape="\\")
    return SearchString.normalised.like(f"{pattern}%", escape="\\")


def _on_column(parameter: SearchParameter, values: tuple[str, ...]) -> ColumnElement[bool]:
    if parameter.column == "id":
        return FhirResource.id.in_(values)
    # _lastUpdated: the stored instant, a range one microsecond wide.
    conditions = []
    for value in values:
        prefix, low, high = date_bounds(value)
        conditions.append(_instant(prefix, FhirResource.last_updated, low, high))
    return or_(*conditions)


def _instant(
    prefix: str, stamp: InstrumentedAttribute[datetime], low: datetime, high: datetime
) -> ColumnElement[bool]:
    if prefix == "eq":
        return and_(stamp >= low, stamp < high)
    if prefix == "ne":
        return or_(stamp < low, stamp >= high)
    if prefix == "gt":
        return stamp >= high
    if prefix == "lt":
        return stamp < low
    if prefix == "ge":
        return stamp >= low
    return stamp < high  # le
