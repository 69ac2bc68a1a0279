"""Bulk Data `$export` (FHIR Bulk Data Access 2.0, the asynchronous request pattern):

- kick-off, GET or POST, system level (`/fhir/$export`) or for every patient's data
  (`/fhir/Patient/$export`), with `_type` and `_since`, needs `Prefer: respond-async` and
  answers 202 with `Content-Location`, the status URL;
- polling the status URL answers 202 with `X-Progress` while the job runs, then 200 with the
  manifest; `DELETE` on it cancels the job (or removes a finished one's files);
- each output file is NDJSON of one type, fetched with the same bearer token.

Jobs run on a worker thread, so the API keeps answering while they do."""

from __future__ import annotations

import logging
import shutil
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import orjson
from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, Response
from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError

from service.api.fhir.context import fhir_base, json_format, prefers, sessions
from service.api.fhir.outcome import FhirError, operation_outcome
from service.api.fhir.request_body import json_body
from service.api.fhir.resource_types import STORED_TYPES
from service.api.fhir.responses import fhir_json
from service.api.security import ApiClient, authorise, identify, require
from service.bulk_export.job import run_export
from service.search.dates import date_range
from service.storage.models import BulkExport

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/fhir", tags=["bulk data"], dependencies=[Depends(json_format)])
NDJSON_FORMATS = {"application/fhir+ndjson", "application/ndjson", "ndjson"}
# A patient-level export holds the patient compartment: every type but the audit trail.
PATIENT_TYPES = tuple(t for t in STORED_TYPES if t != "AuditEvent")
OPERATION_LEVELS = ["system", "Patient"]


@router.get("/$export", dependencies=[Depends(authorise)])
@router.post("/$export", dependencies=[Depends(authorise)])
async def system_export(request: Request) -> Response:
    return await _kick_off(request, level="system", default_types=STORED_TYPES)


@router.get("/{resource_type:fhir_type}/$export", dependencies=[Depends(authorise)])
@router.post("/{resource_type:fhir_type}/$export", dependencies=[Depends(authorise)])
async def patient_export(request: Request, resource_type: str) -> Response:
    if resource_type != "Patient":
        raise FhirError(404, "not-supported", "$export runs at the system or Patient level")
    return await _kick_off(request, level="patient", default_types=PATIENT_TYPES)


@router.get("/$export-status/{export_id}")
def export_status(request: Request, export_id: str) -> Response:
    job = _own_job(request, export_id)
    if job.status == "running":
        return Response(
            status_code=202, headers={"X-Progress": job.progress or "starting", "Retry-After": "2"}
        )
    if job.status == "failed":
        return fhir_json(
            operation_outcome("exception", f"the export failed ({job.error})"), status=500
        )
    if job.status == "cancelled":
        raise FhirError(404, "not-found", "the export was cancelled")
    base = fhir_base(request)
    files = (job.output or {}).get("files", [])
    manifest: dict[str, Any] = {
        "transactionTime": job.requested_at.isoformat(),
        "request": job.request_url,
        "requiresAccessToken": True,
        "output": [
            {
                "type": f["type"],
                "url": f"{base}/$export-file/{export_id}/{f['file']}",
                "count": f["count"],
            }
            for f in files
        ],
        "error": [],
    }
    return Response(orjson.dumps(manifest), media_type="application/json")


@router.delete("/$export-status/{export_id}")
def cancel_export(request: Request, export_id: str) -> Response:
    _own_job(request, export_id)
    with sessions(request).begin() as session:
        session.execute(
            update(BulkExport)
            .where(BulkExport.id == export_id, BulkExport.status.in_(("running", "complete")))
            .values(status="cancelled")
        )
    shutil.rmtree(_folder(request, export_id), ignore_errors=True)
    return Response(status_code=202)


@router.get("/$export-file/{export_id}/{file_name}")
def export_file(request: Request, export_id: str, file_name: str) -> Response:
    job = _own_job(request, export_id)
    names = {f["file"] for f in (job.output or {}).get("files", [])}
    if job.status != "complete" or file_name not in names:
        raise FhirError(404, "not-found", f"the export has no file {file_name!r}")
    return FileResponse(
        _folder(request, export_id) / file_name, media_type="application/fhir+ndjson"
    )


def interrupt_running_exports(sessions_factory: Any) -> None:
    """At start and stop: a job that was running is not any more (its thread is gone)."""
    try:
        with sessions_factory.begin() as session:
            session.execute(
                update(BulkExport)
                .where(BulkExport.status == "running")
                .values(status="failed", error="interrupted by a restart of the service")
            )
    except SQLAlchemyError as error:  # the database is gone or behind: nothing to mark
        logger.warning("could not mark interrupted exports: %s", type(error).__name__)


async def _kick_off(request: Request, *, level: str, default_types: tuple[str, ...]) -> Response:
    if not prefers(request, "respond-async"):
        raise FhirError(400, "invalid", "$export runs asynchronously: send Prefer: respond-async")
    parameters = await _parameters(request)
    output_format = parameters.get("_outputFormat", "application/fhir+ndjson")
    if output_format not in NDJSON_FORMATS:
        raise FhirError(
            400,
            "not-supported",
            f"_outputFormat {output_format!r} is not offered: use ndjson",
            expression="_outputFormat",
        )
    types = [t for t in parameters.get("_type", "").split(",") if t] or list(default_types)
    unknown = [t for t in types if t not in default_types]
    if unknown:
        raise FhirError(
            400,
            "not-supported",
            f"_type {', '.join(unknown)} cannot be exported here",
            expression="_type",
        )
    for resource_type in types:
        require(request, "read", resource_type)
    try:
        since = date_range(parameters["_since"])[0] if parameters.get("_since") else None
    except ValueError as error:
        raise FhirError(400, "invalid", f"_since: {error}", expression="_since") from None
    client: ApiClient = request.state.api_client
    export_id = str(uuid.uuid4())
    state = request.app.state
    with sessions(request).begin() as session:
        session.add(
            BulkExport(
                id=export_id,
                status="running",
                request_url=str(request.url),
                client_name=client.name,
                level=level,
                types=",".join(types),
                since=since,
                requested_at=state.clock(),
            )
        )
    executor: ThreadPoolExecutor = state.export_workers
    executor.submit(run_export, state.sessions, export_id, _folder(request, export_id), state.clock)
    status_url = f"{fhir_base(request)}/$export-status/{export_id}"
    return Response(status_code=202, headers={"Content-Location": status_url})


async def _parameters(request: Request) -> dict[str, str]:
    """Query parameters, and for POST those of a Parameters body."""
    parameters = {k: v for k, v in request.query_params.items()}
    if request.method == "POST" and await request.body():
        body = await json_body(request)
        if not isinstance(body, dict) or body.get("resourceType") != "Parameters":
            raise FhirError(400, "invalid", "POST $export takes a Parameters resource")
        for parameter in body.get("parameter", []):
            value = next((v for k, v in parameter.items() if k.startswith("value")), None)
            if value is not None:
                name = parameter.get("name")
                parameters[name] = (
                    f"{parameters[name]},{value}"
                    if name == "_type" and name in parameters
                    else str(value)
                )
    return parameters


def _own_job(request: Request, export_id: str) -> BulkExport:
    client = identify(request)
    with sessions(request)() as session:
        job = session.get(BulkExport, export_id)
    if job is None or job.client_name != client.name:
        raise FhirError(404, "not-found", "no such export")
    return job


def _folder(request: Request, export_id: str) -> Path:
    return Path(request.app.state.settings.data_dir) / "exports" / export_id
