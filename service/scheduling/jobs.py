"""The scheduled jobs, as data: an id, what it is for, when it runs, which lease it needs, and
what it calls. `shared` jobs live in the database job store (a run missed while every
scheduler was down happens once on start); the heartbeat is each process's own."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.orm import Session, sessionmaker

from service.clock import Clock
from service.config import Settings
from service.scheduling import lease, tasks
from service.scheduling.heartbeat import SchedulerIdentity, beat

TIMEZONE = "Europe/London"
INDICATORS_LEASE = lease.INDICATORS


@dataclass(frozen=True)
class ScheduledJob:
    id: str
    description: str
    trigger: BaseTrigger
    run: Callable[[], object]
    lease: str | None = None  # None: every process runs it (its own heartbeat)

    @property
    def shared(self) -> bool:
        return self.lease is not None


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
            id="recompute",
            description="Recompute every indicator in full, then evaluate the alerts.",
            trigger=CronTrigger.from_crontab(settings.recompute_cron, timezone=TIMEZONE),
            run=lambda: tasks.recompute(settings, sessions, clock),
            lease=INDICATORS_LEASE,
        ),
        ScheduledJob(
            id="projection-refresh",
            description="Project resources written through the API since the last refresh, "
            "recount the months they change and evaluate the alerts.",
            trigger=IntervalTrigger(seconds=settings.projection_refresh_seconds),
            run=lambda: tasks.refresh_queued(settings, sessions, clock),
            lease=INDICATORS_LEASE,
        ),
        ScheduledJob(
            id="outbox-delivery",
            description="Deliver queued alert notifications, retrying with backoff.",
            trigger=IntervalTrigger(seconds=settings.outbox_delivery_seconds),
            run=lambda: tasks.deliver(settings, sessions, clock),
            lease="outbox",
        ),
    ]
