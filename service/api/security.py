"""Bearer tokens with SMART system scopes: who is calling, and may they do this?

One dependency, `authorise`, runs on every protected route: it finds the client by its token
(compared in constant time, never logged or echoed) and checks the scope the request needs.
The interaction decides the access: reads and searches need `read`, writes need `write`."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Literal

from fastapi import Request

from service.api.fhir.outcome import FhirError

Access = Literal["read", "write"]
# SMART v2 letters each access needs: read is r(ead) and s(earch), write is c, u and d.
V2_LETTERS: dict[Access, set[str]] = {"read": {"r", "s"}, "write": {"c", "u", "d"}}


@dataclass(frozen=True)
class ApiClient:
    """A caller known by its token. `name` is a short digest, safe for audit records."""

    name: str
    scopes: frozenset[str]

    def may(self, access: Access, resource_type: str) -> bool:
        """`resource_type` "*" means every type at once, which only a `system/*` scope grants."""
        return any(_grants(scope, access, resource_type) for scope in self.scopes)


def _grants(scope: str, access: Access, resource_type: str) -> bool:
    target, _, permission = scope.removeprefix("system/").partition(".")
    if target not in ("*", resource_type):
        return False
    if permission in (access, "*"):
        return True
    return permission not in ("read", "write") and V2_LETTERS[access] <= set(permission)


def clients_by_token(tokens: dict[str, str]) -> list[tuple[bytes, ApiClient]]:
    return [
        (
            token.encode(),
            ApiClient(
                name="api-client-" + hashlib.sha256(token.encode()).hexdigest()[:12],
                scopes=frozenset(scopes.split()),
            ),
        )
        for token, scopes in tokens.items()
    ]


def identify(request: Request) -> ApiClient:
    """The calling client, or 401. Every configured token is compared, so the time taken
    does not tell which one came close."""
    header = request.headers.get("authorization", "")
    scheme, _, presented = header.partition(" ")
    if scheme.lower() != "bearer" or not presented.strip():
        raise _unauthenticated("send a bearer token in the Authorization header")
    presented_bytes = presented.strip().encode()
    found: ApiClient | None = None
    for token, client in request.app.state.api_clients:
        if hmac.compare_digest(token, presented_bytes):
            found = client
    if found is None:
        raise _unauthenticated("the bearer token is not known here")
    return found


def require(request: Request, access: Access, resource_type: str) -> ApiClient:
    client = identify(request)
    if not client.may(access, resource_type):
        raise FhirError(
            403,
            "forbidden",
            f"this token's scopes do not allow {access} access to "
            f"{'all resource types' if resource_type == '*' else resource_type}",
        )
    request.state.api_client = client
    return client


async def authorise(request: Request) -> ApiClient:
    """The router-wide dependency: the access the HTTP method implies, on the path's type.
    async, as it does no I/O: it runs on the event loop rather than in a worker thread.
    A batch or transaction Bundle is checked entry by entry where it is processed."""
    if request.method == "POST" and request.url.path.rstrip("/").endswith("/fhir"):
        client = identify(request)
        request.state.api_client = client
        return client
    resource_type = request.path_params.get("resource_type", "*")
    reading = request.method in ("GET", "HEAD") or request.url.path.endswith(
        ("/_search", "/$validate")
    )
    return require(request, "read" if reading else "write", resource_type)


def _unauthenticated(reason: str) -> FhirError:
    return FhirError(
        401, "login", reason, headers={"WWW-Authenticate": 'Bearer realm="perinatal-equity"'}
    )
