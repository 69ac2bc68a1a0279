"""The Bundles the API answers with: a search set (matches, includes, an outcome entry for
what was ignored, page links) and a history."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from service.api.fhir.outcome import operation_outcome
from service.search.request import PageCursor
from service.search.results import SearchResults
from service.storage.resource_reads import StoredVersion

METHOD_BY_STORED = {"create": "POST", "update": "PUT", "delete": "DELETE"}
STATUS_BY_METHOD = {"POST": "201 Created", "PUT": "200 OK", "DELETE": "204 No Content"}


def searchset(
    base: str,
    resource_type: str,
    query: list[tuple[str, str]],
    results: SearchResults,
    *,
    ignored: list[str],
) -> dict[str, Any]:
    kept = [(k, v) for k, v in query if k != "_page"]

    def link(relation: str, cursor: PageCursor | None) -> dict[str, str]:
        page = [("_page", cursor.encode())] if cursor else []
        return {"relation": relation, "url": f"{base}/{resource_type}?{urlencode(kept + page)}"}

    links = [link("self", None), link("first", None)]
    if results.next_page:
        links.append(link("next", results.next_page))
    if results.previous_page:
        links.append(link("previous", results.previous_page))
    entries = [_entry(base, r, "match") for r in results.matches]
    entries += [_entry(base, r, "include") for r in results.included]
    if ignored:
        outcome = operation_outcome(
            "not-supported",
            f"ignored search parameters not supported for {resource_type}: {', '.join(ignored)}",
            severity="warning",
        )
        entries.append({"resource": outcome, "search": {"mode": "outcome"}})
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": results.total,
        "link": links,
    }
    if entries:
        bundle["entry"] = entries
    return bundle


def history(
    base: str, self_url: str, versions: list[tuple[str, str, StoredVersion]], *, total: int | None
) -> dict[str, Any]:
    """`versions` as (type, id, version), newest first."""
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "type": "history",
        "link": [{"relation": "self", "url": self_url}],
    }
    if total is not None:
        bundle["total"] = total
    bundle["entry"] = [_history_entry(base, *version) for version in versions]
    return bundle


def _entry(base: str, resource: dict[str, Any], mode: str) -> dict[str, Any]:
    return {
        "fullUrl": f"{base}/{resource['resourceType']}/{resource['id']}",
        "resource": resource,
        "search": {"mode": mode},
    }


def _history_entry(
    base: str, resource_type: str, resource_id: str, stored: StoredVersion
) -> dict[str, Any]:
    url = f"{resource_type}/{resource_id}"
    entry: dict[str, Any] = {"fullUrl": f"{base}/{url}"}
    if stored.resource is not None and not stored.deleted:
        entry["resource"] = stored.resource
    method = METHOD_BY_STORED.get(stored.method, "PUT")
    entry["request"] = {"method": method, "url": resource_type if method == "POST" else url}
    entry["response"] = {
        "status": STATUS_BY_METHOD[method],
        "etag": f'W/"{stored.version_id}"',
        "lastModified": stored.last_updated.isoformat(),
    }
    return entry
