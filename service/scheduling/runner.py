"""Run the scheduled jobs in the foreground until SIGTERM or SIGINT.

Shared jobs are kept in APScheduler's database job store. A persistent store can only name
a module-level function, so each stored job names `run_registered` with its id, and this
process registers what that id runs when it starts (the one piece of process-wide state, set
once before the scheduler starts). Every shared run takes the job's lease first: a second
scheduler started by mistake skips the run rather than doing it twice at once.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import traceback
from types import FrameType

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from service.clock import Clock, utc_now
from service.config import Settings
from service.scheduling import lease
from service.scheduling.heartbeat import SchedulerIdentity, forget
from service.scheduling.jobs import TIMEZONE, ScheduledJob, scheduled_jobs
from service.storage import migrate
from service.storage.engine import make_engine, make_session_factory
from service.storage.models import JobRun

log = logging.getLogger(__name__)

# A job missed while the process was down runs once when it comes back (coalesce), however
# late (no grace limit), and never overlaps itself within a process.
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
SHARED_STORE = "database"
_REGISTERED: dict[str, ScheduledJob] = {}
_CONTEXT: dict[str, object] = {}


def run_registered(job_id: str) -> None:
    """What the database job store calls: the registered job, under its lease."""
    job = _REGISTERED[job_id]
    sessions: sessionmaker[Session] = _CONTEXT["sessions"]  # type: ignore[assignment]
    identity: SchedulerIdentity = _CONTEXT["identity"]  # type: ignore[assignment]
    clock: Clock = _CONTEXT["clock"]  # type: ignore[assignment]
    run_exclusively(sessions, job, f"{identity.hostname}:{identity.pid}", clock)


def run_exclusively(
    sessions: sessionmaker[Session], job: ScheduledJob, holder: str, clock: Clock
) -> str:
    """Run the job if its lease can be taken; record the run (or the skip). Returns the
    outcome: done, failed or skipped."""
    assert job.lease is not None
    with lease.held(sessions, job.lease, holder, clock) as taken:
        run = _start(sessions, job.id, holder, clock, "running" if taken else "skipped")
        if not taken:
            log.info("%s: skipped, another scheduler holds the %s lease", job.id, job.lease)
            return "skipped"
        try:
            job.run()
        except Exception:  # a failing run is recorded and the scheduler carries on
            log.exception("%s failed", job.id)
            _finish(sessions, run, clock, "failed", traceback.format_exc(limit=5))
            return "failed"
        _finish(sessions, run, clock, "done", None)
        return "done"


def _start(
    sessions: sessionmaker[Session], job_id: str, holder: str, clock: Clock, outcome: str
) -> int:
    with sessions.begin() as session:
        at = clock()
        row = JobRun(
            job_id=job_id,
            holder=holder,
            started_at=at,
            finished_at=at if outcome == "skipped" else None,
            outcome=outcome,
        )
        session.add(row)
        session.flush()
        return row.id


def _finish(
    sessions: sessionmaker[Session], run_id: int, clock: Clock, outcome: str, detail: str | None
) -> None:
    with sessions.begin() as session:
        row = session.get_one(JobRun, run_id)
        row.finished_at, row.outcome, row.detail = clock(), outcome, detail


def prepare(
    scheduler: BaseScheduler,
    engine: Engine,
    jobs: list[ScheduledJob],
    sessions: sessionmaker[Session],
    identity: SchedulerIdentity,
    clock: Clock,
) -> None:
    """Give the scheduler its two job stores and the jobs, before it starts."""
    shared_store = SQLAlchemyJobStore(engine=engine)
    scheduler.configure(
        timezone=TIMEZONE,
        job_defaults=JOB_DEFAULTS,
        jobstores={"default": MemoryJobStore(), SHARED_STORE: shared_store},
    )
    _CONTEXT.update(sessions=sessions, identity=identity, clock=clock)
    for job in jobs:
        _add(scheduler, shared_store, job, clock)


def run_scheduler(settings: Settings, clock: Clock = utc_now) -> None:
    engine = make_engine(settings.database_url)
    migrate.upgrade(engine)
    sessions = make_session_factory(engine)
    identity = SchedulerIdentity.of_this_process(clock())
    scheduler = BlockingScheduler()
    jobs = scheduled_jobs(settings, sessions, identity, clock)
    prepare(scheduler, engine, jobs, sessions, identity, clock)

    stopping: list[int] = []

    def stop(signum: int, _frame: FrameType | None) -> None:
        # Supervisors (and `timeout`) may signal twice, the second before the scheduler reports
        # itself stopped; only the first stops it, and a late one must not fail the exit.
        if stopping or not scheduler.running:
            return
        stopping.append(signum)
        log.info("stopping on %s", signal.Signals(signum).name)
        with contextlib.suppress(SchedulerNotRunningError):
            scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        scheduler.start()
    finally:
        forget(sessions, identity)
        engine.dispose()


def _add(
    scheduler: BaseScheduler, store: SQLAlchemyJobStore, job: ScheduledJob, clock: Clock
) -> None:
    if not job.shared:
        scheduler.add_job(
            job.run, job.trigger, id=job.id, name=job.description, next_run_time=clock()
        )
        return
    _REGISTERED[job.id] = job
    stored = store.lookup_job(job.id)
    # Keep the stored next run: if it passed while no scheduler ran, it runs once now.
    next_run = (
        stored.next_run_time
        if stored is not None
        else job.trigger.get_next_fire_time(None, clock())
    )
    scheduler.add_job(
        run_registered,
        job.trigger,
        args=[job.id],
        id=job.id,
        name=job.description,
        jobstore=SHARED_STORE,
        replace_existing=True,
        next_run_time=next_run,
    )
    log.info("scheduled %s: %s (next %s)", job.id, job.trigger, next_run)
