"""Quarantine: rows refused with their findings, kept exactly as received; released when a later
extract brings the same record in a form that passes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from fhir_mappings.row_pipeline import RowOutcome
from service.storage.models import QuarantinedRow, QuarantineReason


def keep(session: Session, run_id: int, source_system: str, outcomes: Sequence[RowOutcome]) -> None:
    """Store refused rows; one already waiting in quarantine unchanged is not stored twice."""
    if not outcomes:
        return
    waiting = set(
        session.scalars(
            select(QuarantinedRow.row_sha256).where(
                QuarantinedRow.source_system == source_system,
                QuarantinedRow.status == "open",
                QuarantinedRow.row_sha256.in_([o.row_sha256 for o in outcomes]),
            )
        )
    )
    for outcome in outcomes:
        if outcome.row_sha256 in waiting:
            continue
        waiting.add(outcome.row_sha256)
        session.add(
            QuarantinedRow(
                ingest_run_id=run_id,
                row_number=outcome.row,
                source_key=outcome.key,
                source_system=source_system,
                row_sha256=outcome.row_sha256,
                raw_row=outcome.raw,
                reasons=[
                    QuarantineReason(field=f.column, rule=f.rule, message=f.message)
                    for f in outcome.findings
                    if f.severity == "error"
                ],
            )
        )


def release(session: Session, source_system: str, keys: Sequence[str], now: datetime) -> int:
    """Resolve open quarantined rows whose record has now been loaded; returns how many."""
    if not keys:
        return 0
    result = session.execute(
        update(QuarantinedRow)
        .where(
            QuarantinedRow.source_system == source_system,
            QuarantinedRow.status == "open",
            QuarantinedRow.source_key.in_(keys),
        )
        .values(status="resolved", resolved_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
