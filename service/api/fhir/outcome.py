"""Every FHIR failure is an `OperationOutcome` with the right status. Raised as `FhirError`
anywhere under `/fhir`, turned into a response by one handler; texts never carry identifiers
or stack traces."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.api.fhir.responses import fhir_json

logger = logging.getLogger(__name__)


class FhirError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        diagnostics: str,
        *,
        expression: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(diagnostics)
        self.headers = headers or {}
        self.status = status
        self.code = code
        self.diagnostics = diagnostics
        self.expression = expression


def operation_outcome(
    code: str, diagnostics: str, *, severity: str = "error", expression: str | None = None
) -> dict[str, Any]:
    issue: dict[str, Any] = {"severity": severity, "code": code, "diagnostics": diagnostics}
    if expression:
        issue["expression"] = [expression]
    return {"resourceType": "OperationOutcome", "issue": [issue]}


def install_error_handlers(app: FastAPI) -> None:
    """FhirErrors, and the framework's own refusals under `/fhir` (no such route, wrong method,
    a malformed parameter) and anything unexpected, all answer as OperationOutcomes."""

    async def on_fhir_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, FhirError)
        return _answer(request, error)

    async def on_http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        if not request.url.path.startswith(("/fhir", "/api")):
            return await http_exception_handler(request, error)
        code = {404: "not-found", 405: "not-supported"}.get(error.status_code, "processing")
        return _answer(request, FhirError(error.status_code, code, str(error.detail)))

    async def on_invalid_request(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"][1:]) or "request"
        return _answer(
            request, FhirError(400, "invalid", f"{where}: {first['msg']}", expression=where)
        )

    async def on_unexpected(request: Request, error: Exception) -> Response:
        logger.exception("unexpected error answering %s %s", request.method, request.url.path)
        return _answer(
            request, FhirError(500, "exception", "the server could not complete the request")
        )

    app.add_exception_handler(FhirError, on_fhir_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_invalid_request)
    app.add_exception_handler(Exception, on_unexpected)


def _answer(request: Request, error: FhirError) -> Response:
    # Imported here: the audit trail depends on the security module, which raises FhirErrors.
    from service.api.audit import audit_failure

    audit_failure(request, error.status)
    outcome = operation_outcome(error.code, error.diagnostics, expression=error.expression)
    response = fhir_json(outcome, status=error.status)
    response.headers.update(error.headers)
    return response
