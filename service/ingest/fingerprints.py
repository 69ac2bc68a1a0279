"""Row fingerprints: which version of each source record was last loaded, so an unchanged row
costs a lookup, not a rebuild and a write."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from service.storage.models import LoadedRow

CHUNK = 2_000


def loaded(session: Session, source_system: str, keys: Sequence[str]) -> dict[str, str]:
    """Row key → fingerprint of what was last loaded, for the keys that have been."""
    found: dict[str, str] = {}
    for start in range(0, len(keys), CHUNK):
        query = select(LoadedRow.row_key, LoadedRow.row_sha256).where(
            LoadedRow.source_system == source_system,
            LoadedRow.row_key.in_(keys[start : start + CHUNK]),
        )
        found.update({key: digest for key, digest in session.execute(query)})
    return found


def remember(
    session: Session,
    source_system: str,
    rows: Sequence[tuple[str, str]],
    run_id: int,
    now: datetime,
) -> None:
    """Record (key, fingerprint) pairs as loaded, replacing earlier fingerprints."""
    if not rows:
        return
    values = [
        {
            "source_system": source_system,
            "row_key": key,
            "row_sha256": digest,
            "ingest_run_id": run_id,
            "loaded_at": now,
        }
        for key, digest in dict(rows).items()
    ]
    dialect = session.get_bind().dialect.name
    insert = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(LoadedRow)
    session.execute(
        insert.on_conflict_do_update(
            index_elements=["source_system", "row_key"],
            set_={
                "row_sha256": insert.excluded.row_sha256,
                "ingest_run_id": insert.excluded.ingest_run_id,
                "loaded_at": insert.excluded.loaded_at,
            },
        ),
        values,
    )
