"""Every FHIR failure is an `OperationOutcome` with the right status. Raised as `FhirError`
anywhere under `/fhir`, turned into a response by one handler; texts never carry identifiers
or stack traces."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response

from service.api.fhir.responses import fhir_json


class FhirError(Exception):
    def __init__(
        self, status: int, code: str, diagnostics: str, *, expression: str | None = None
    ) -> None:
        super().__init__(diagnostics)
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
    async def on_fhir_error(_: Request, error: Exception) -> Response:
        assert isinstance(error, FhirError)
        outcome = operation_outcome(error.code, error.diagnostics, expression=error.expression)
        return fhir_json(outcome, status=error.status)

    app.add_exception_handler(FhirError, on_fhir_error)
