"""`POST /ingest/{source}`: a source system that can only send files uploads its extract
(multipart, field `file`) and gets the ingest report back, exactly as `perinatal ingest` would
print it. Needs a token allowed to write every type. The upload is kept under
`DATA_DIR/uploads`, so what was sent can always be looked at again."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.responses import JSONResponse

from fhir_mappings.mapping.model import default_mapping
from service.api.audit import audit_event
from service.api.fhir.outcome import FhirError
from service.api.security import require
from service.errors import InputError
from service.ingest.run import ingest_file
from service.ingest.sources import SOURCES
from service.projection.precedence import load_precedence

router = APIRouter(tags=["ingest"])


@router.post("/ingest/{source}")
def upload_extract(
    request: Request,
    source: str,
    file: UploadFile,
    project: bool = Query(True, description="Refresh the analytic projection afterwards."),
) -> JSONResponse:
    require(request, "write", "*")
    if source not in SOURCES:
        raise FhirError(404, "not-supported", f"source must be one of {', '.join(SOURCES)}")
    state = request.app.state
    name = Path(file.filename or "extract.csv").name
    kept = Path(state.settings.data_dir) / "uploads" / str(uuid.uuid4()) / name
    kept.parent.mkdir(parents=True, exist_ok=True)
    with kept.open("wb") as copy:
        shutil.copyfileobj(file.file, copy)
    try:
        report = ingest_file(
            state.sessions,
            kept,
            default_mapping(SOURCES[source]),
            clock=state.clock,
            precedence=load_precedence(state.settings.precedence_file),
            project=project,
        )
    except InputError as error:
        raise FhirError(400, "invalid", str(error)) from None
    state.audit.later(
        audit_event(
            request.state.api_client,
            action="C",
            interaction="batch",
            status=200,
            now=state.clock(),
            query=f"ingest {source} {name}",
        )
    )
    body: dict[str, Any] = report.as_dict()
    return JSONResponse(body)
