"""One export job: each requested type's current resources, written to `<Type>.ndjson` in the
job's folder, a page at a time. The job row carries its progress and can be cancelled while it
runs; the files appear in `output` only when every type is done."""

from __future__ import annotations

import logging
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import LargeBinary, select, type_coerce, update
from sqlalchemy.orm import Session, sessionmaker

from service.clock import Clock
from service.storage.bulk import read_in_key_order
from service.storage.models import BulkExport, FhirResource
from service.storage.resource_json import unpack

logger = logging.getLogger(__name__)
PAGE = 5_000


class ExportCancelledError(Exception):
    pass


def run_export(sessions: sessionmaker[Session], export_id: str, folder: Path, clock: Clock) -> None:
    """Run the job to the end, recording the outcome on its row (never raising)."""
    with sessions() as session:
        job = session.get(BulkExport, export_id)
        assert job is not None
        types = job.types.split(",")
        since, patients_only = job.since, job.level == "patient"
    folder.mkdir(parents=True, exist_ok=True)
    output: list[dict[str, Any]] = []
    try:
        for position, resource_type in enumerate(types, start=1):
            written = _export_type(
                sessions,
                export_id,
                folder,
                resource_type,
                since,
                patients_only,
                progress=f"{resource_type} ({position} of {len(types)} types)",
            )
            if written:
                output.append(
                    {"type": resource_type, "file": f"{resource_type}.ndjson", "count": written}
                )
            else:
                (folder / f"{resource_type}.ndjson").unlink(missing_ok=True)
        _finish(sessions, export_id, clock(), status="complete", output={"files": output})
    except ExportCancelledError:
        shutil.rmtree(folder, ignore_errors=True)
    except Exception as error:
        logger.exception("bulk export %s failed", export_id)
        shutil.rmtree(folder, ignore_errors=True)
        _finish(sessions, export_id, clock(), status="failed", error=type(error).__name__)


def _export_type(
    sessions: sessionmaker[Session],
    export_id: str,
    folder: Path,
    resource_type: str,
    since: datetime | None,
    patients_only: bool,
    *,
    progress: str,
) -> int:
    # The stored JSON text is written as it is, only decompressed: no parsing and
    # re-serialising per resource.
    query = select(FhirResource.id, type_coerce(FhirResource.resource, LargeBinary)).where(
        FhirResource.resource_type == resource_type, FhirResource.deleted.is_(False)
    )
    if since is not None:
        query = query.where(FhirResource.last_updated > since)
    if patients_only:
        query = query.where(FhirResource.compartment.is_not(None))
    written, after = 0, ""
    with (folder / f"{resource_type}.ndjson").open("w", encoding="utf-8") as ndjson:
        while True:
            with sessions.begin() as session:
                read_in_key_order(session)
                status = session.scalar(select(BulkExport.status).where(BulkExport.id == export_id))
                if status != "running":
                    raise ExportCancelledError
                session.execute(
                    update(BulkExport)
                    .where(BulkExport.id == export_id)
                    .values(progress=f"{progress}: {written:,} resources")
                )
                page = session.execute(
                    query.where(FhirResource.id > after).order_by(FhirResource.id).limit(PAGE)
                ).all()
            if not page:
                return written
            ndjson.write("\n".join(unpack(stored).decode() for _, stored in page))
            ndjson.write("\n")
            written += len(page)
            after = page[-1][0]


def _finish(
    sessions: sessionmaker[Session],
    export_id: str,
    now: datetime,
    *,
    status: str,
    output: dict[str, Any] | None = None,
    error: str | None = None,
) -> None:
    with sessions.begin() as session:
        session.execute(
            update(BulkExport)
            .where(BulkExport.id == export_id, BulkExport.status == "running")
            .values(status=status, finished_at=now, output=output, error=error, progress=None)
        )
