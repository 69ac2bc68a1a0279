"""One computation of the indicators, full or incremental, recorded as an `indicator_run`.

Incremental: only the months the projection queued as changed are recounted from the
projection (the expensive part); every series' statistics are then recomputed from the stored
counts, because one new month moves a chart's mean and limits. The counts, series and
summaries are replaced in one transaction, so readers see one run or the next, never a mix.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from service.indicators import store
from service.indicators.catalogue import Catalogue, load_catalogue
from service.indicators.counting import count
from service.indicators.projection_frames import read_frames
from service.indicators.statistics import analyse
from service.storage.models import IndicatorRun

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ComputeReport:
    run_id: int | None
    kind: str
    months_counted: int
    series_written: int
    seconds: float
    timings: dict[str, float]


def compute(
    sessions: sessionmaker[Session],
    *,
    now: Callable[[], datetime],
    full: bool,
    statistics_only: bool = False,
    catalogue: Catalogue | None = None,
) -> ComputeReport:
    """Recount (everything, or the stale months) and recompute every series; a no-op when an
    incremental run finds nothing stale. `statistics_only` recounts nothing and recomputes every
    series from the stored counts (after an intervention rebased a chart)."""
    catalogue = catalogue or load_catalogue()
    started = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(name: str, since: list[float]) -> None:
        current = time.perf_counter()
        timings[name] = round(current - since[0], 3)
        since[0] = current

    clock = [started]
    kind = "full" if full else "statistics" if statistics_only else "incremental"
    with sessions.begin() as session:
        months = None if full else set() if statistics_only else store.stale_months(session)
        queued = store.stale_months(session) if full else months
        if months is not None and not months and not statistics_only:
            return ComputeReport(None, kind, 0, 0, 0.0, {})
        run = IndicatorRun(
            kind=kind,
            status="running",
            method_version=catalogue.method_version,
            started_at=now(),
            snapshot_at=now(),
        )
        session.add(run)
        session.flush()
        run_id = run.id
    try:
        with sessions.begin() as session:
            months_counted = 0
            counts = None
            if months is None or months:
                counts = count(read_frames(session, months, catalogue.fields_read()), catalogue)
                lap("read_and_count", clock)
                store.replace_counts(session, counts, run_id, months)
                lap("write_counts", clock)
                months_counted = len(set(counts["period"])) if months is None else len(months)
            if counts is None or months is not None:
                counts = store.read_counts(session)
                lap("read_counts", clock)
            results = analyse(counts, catalogue, store.rebases(session))
            lap("statistics", clock)
            store.replace_results(session, results, run_id)
            store.forget_stale_months(session, queued or ())
            session.execute(
                update(IndicatorRun)
                .where(IndicatorRun.id == run_id)
                .values(
                    status="done",
                    finished_at=now(),
                    months_counted=months_counted,
                    series_written=len(results.series),
                )
            )
        lap("write_results", clock)
    except Exception as error:
        with sessions.begin() as session:
            session.execute(
                update(IndicatorRun)
                .where(IndicatorRun.id == run_id)
                .values(status="failed", finished_at=now(), error=str(error)[:2000])
            )
        raise
    seconds = time.perf_counter() - started
    log.info("indicators computed (%s run %d) in %.2f s: %s", kind, run_id, seconds, timings)
    return ComputeReport(run_id, kind, months_counted, len(results.series), seconds, timings)


def compute_when_free(
    sessions: sessionmaker[Session],
    *,
    now: Callable[[], datetime],
    full: bool,
    statistics_only: bool = False,
) -> ComputeReport | None:
    """`compute` under the indicators lease; None when another process is computing (the
    months this caller queued stay queued, and that process or the next run counts them)."""
    from service.scheduling import lease

    holder = f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
    with lease.held(sessions, lease.INDICATORS, holder, now) as taken:
        if not taken:
            log.debug("indicators: another process is computing; queued months wait for it")
            return None
        return compute(sessions, now=now, full=full, statistics_only=statistics_only)
