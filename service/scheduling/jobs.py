"""The scheduled jobs, as data: an id, what it is for, when it runs, and what it calls.

Later capabilities (recomputing indicators, evaluating and delivering alerts) add their rows here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.orm import Session, sessionmaker

from service.clock import Clock
from service.config import Settings
from service.scheduling.heartbeat import SchedulerIdentity, beat


@dataclass(frozen=True)
class ScheduledJob:
    id: str
    description: str
    trigger: BaseTrigger
    run: Callable[[], None]


def scheduled_jobs(
    settings: Settings,
    sessions: sessionmaker[Session],
    identity: SchedulerIdentity,
    clock: Clock,
) -> list[ScheduledJob]:
    return [
        ScheduledJob(
            id="heartbeat",
            description="Record that this scheduler is alive (shown by /healthz).",
            trigger=IntervalTrigger(seconds=settings.scheduler_heartbeat_seconds),
            run=lambda: beat(sessions, identity, clock()),
        ),
        ScheduledJob(
            id="projection-refresh",
            description="Project resources written through the API since the last refresh.",
            trigger=IntervalTrigger(seconds=settings.projection_refresh_seconds),
            run=lambda: refresh_queued(settings, sessions, clock),
        ),
    ]


def refresh_queued(settings: Settings, sessions: sessionmaker[Session], clock: Clock) -> None:
    """Ingest projects what it loads; writes through the FHIR API wait here for the next run,
    and so do the indicator months they change."""
    from service.indicators.run import compute
    from service.projection.precedence import load_precedence
    from service.projection.refresh import queued_patients, refresh

    with sessions() as session:
        waiting = queued_patients(session)
    if waiting:
        refresh(sessions, precedence=load_precedence(settings.precedence_file))
    compute(sessions, now=clock, full=False)
