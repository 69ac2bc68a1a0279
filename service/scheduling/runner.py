"""Run the scheduled jobs in the foreground until SIGTERM or SIGINT."""

from __future__ import annotations

import logging
import signal
from types import FrameType

from apscheduler.schedulers.blocking import BlockingScheduler

from service.clock import Clock, utc_now
from service.config import Settings
from service.scheduling.heartbeat import SchedulerIdentity, forget
from service.scheduling.jobs import scheduled_jobs
from service.storage import migrate
from service.storage.engine import make_engine, make_session_factory

log = logging.getLogger(__name__)

# A job missed while the process was down runs once when it comes back, not once per miss.
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}


def run_scheduler(settings: Settings, clock: Clock = utc_now) -> None:
    engine = make_engine(settings.database_url)
    migrate.upgrade(engine)
    sessions = make_session_factory(engine)
    identity = SchedulerIdentity.of_this_process(clock())
    scheduler = BlockingScheduler(timezone="Europe/London", job_defaults=JOB_DEFAULTS)
    for job in scheduled_jobs(settings, sessions, identity, clock):
        scheduler.add_job(
            job.run, job.trigger, id=job.id, name=job.description, next_run_time=clock()
        )
        log.info("scheduled %s: %s", job.id, job.trigger)

    def stop(signum: int, _frame: FrameType | None) -> None:
        # Supervisors (and `timeout`) may signal twice; the second must not fail the exit.
        if scheduler.running:
            log.info("stopping on %s", signal.Signals(signum).name)
            scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        scheduler.start()
    finally:
        forget(sessions, identity)
        engine.dispose()
