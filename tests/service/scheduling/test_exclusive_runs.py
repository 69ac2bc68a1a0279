"""Exactly one run of a job at a time, even with two scheduler processes started by mistake
(a lease in the database, tested with two processes on PostgreSQL), and a job missed while
every scheduler was down runs once on start."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from service.clock import utc_now
from service.scheduling import lease
from service.scheduling.heartbeat import SchedulerIdentity
from service.scheduling.jobs import ScheduledJob
from service.scheduling.runner import SHARED_STORE, prepare
from service.storage import migrate
from service.storage.engine import make_engine, make_session_factory
from service.storage.models import JobRun

PROBE = textwrap.dedent(
    """
    import sys, time
    from service.clock import utc_now
    from service.scheduling.jobs import ScheduledJob
    from service.scheduling.runner import run_exclusively
    from service.storage.engine import make_engine, make_session_factory
    from apscheduler.triggers.interval import IntervalTrigger

    url, holder, log, until = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    done = 0
    sessions = make_session_factory(make_engine(url))

    def work() -> None:
        started = time.time()
        time.sleep(0.3)
        with open(log, "a") as file:
            file.write(f"{started} {time.time()}\\n")

    job = ScheduledJob("probe", "probe", IntervalTrigger(seconds=1), work, lease="probe")
    # Three runs each, however slow the machine: the overlap check needs no timing.
    while done < 3 and time.time() < until:
        done += run_exclusively(sessions, job, holder, utc_now) == "done"
        time.sleep(0.02)
    """
)


@pytest.mark.postgres
def test_two_processes_never_run_the_same_job_at_once(
    create_postgres_database: object, tmp_path: Path
) -> None:
    url = create_postgres_database()  # type: ignore[operator]
    engine = make_engine(url)
    migrate.upgrade(engine)
    until = time.time() + 60
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", PROBE, url, holder, str(log), str(until)],
            env={**os.environ, "PYTHONPATH": str(Path.cwd())},
        )
        for holder, log in zip(("a", "b"), logs, strict=True)
    ]
    for worker in workers:
        assert worker.wait(30) == 0

    runs = sorted(
        (float(start), float(end), log.stem)
        for log in logs
        for start, end in (line.split() for line in log.read_text().splitlines())
    )
    assert len(runs) == 6
    assert {holder for *_, holder in runs} == {"a", "b"}  # both got turns…
    for (_, end, _), (start, _, _) in itertools.pairwise(runs):
        assert start >= end, "two runs overlapped"  # …never at the same time
    with make_session_factory(engine)() as session:
        outcomes = set(session.scalars(select(JobRun.outcome).where(JobRun.job_id == "probe")))
    assert outcomes == {"done", "skipped"}
    engine.dispose()


def test_a_lapsed_lease_is_taken_over_and_a_held_one_renewed(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    migrate.upgrade(engine)
    sessions = make_session_factory(engine)
    now = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
    assert lease.try_take(sessions, "indicators", "a", now)
    assert not lease.try_take(sessions, "indicators", "b", now + timedelta(seconds=60))
    assert lease.renew(sessions, "indicators", "a", now + timedelta(seconds=60))
    assert not lease.try_take(sessions, "indicators", "b", now + timedelta(seconds=150))
    # a stops renewing (crashed): two minutes after its last renewal the lease lapses.
    assert lease.try_take(sessions, "indicators", "b", now + timedelta(seconds=181))
    assert not lease.renew(sessions, "indicators", "a", now + timedelta(seconds=182))
    lease.release(sessions, "indicators", "b")
    assert lease.try_take(sessions, "indicators", "a", now + timedelta(seconds=183))
    engine.dispose()


def test_a_job_missed_while_down_runs_once_on_start(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    migrate.upgrade(engine)
    sessions = make_session_factory(engine)
    identity = SchedulerIdentity.of_this_process(utc_now())
    ran: list[datetime] = []
    job = ScheduledJob(
        "hourly", "probe", IntervalTrigger(hours=1), lambda: ran.append(utc_now()), "hourly"
    )

    first = BackgroundScheduler()
    prepare(first, engine, [job], sessions, identity, utc_now)
    first.start(paused=True)
    assert first.get_job("hourly", SHARED_STORE).next_run_time > utc_now()  # waits its turn
    first.shutdown(wait=True)
    # Every scheduler stays down for three hours: the stored next run is three hours past.
    store = SQLAlchemyJobStore(engine=engine)
    store.start(first, SHARED_STORE)
    stored = store.lookup_job("hourly")
    stored._modify(next_run_time=utc_now() - timedelta(hours=3))
    store.update_job(stored)

    second = BackgroundScheduler()
    prepare(second, engine, [job], sessions, identity, utc_now)
    second.start()
    try:
        deadline = time.monotonic() + 10
        while not ran and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
    finally:
        second.shutdown(wait=True)
    assert len(ran) == 1  # once, not once per missed hour
    engine.dispose()


def test_two_scheduler_processes_share_the_job_store_and_take_turns(
    empty_database_url: str, tmp_path: Path
) -> None:
    migrate.upgrade(make_engine(empty_database_url))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PERINATAL_")}
    env |= {
        "PERINATAL_DATABASE_URL": empty_database_url,
        "PERINATAL_OUTBOX_DELIVERY_SECONDS": "1",
        "PERINATAL_DATA_DIR": str(tmp_path),
    }
    schedulers = [
        subprocess.Popen(
            [str(Path(sys.executable).parent / "perinatal"), "scheduler"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    engine = make_engine(empty_database_url)
    sessions = make_session_factory(engine)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(_done_runs(sessions)) < 4:
        time.sleep(0.5)
    for process in schedulers:
        process.send_signal(signal.SIGTERM)
    for process in schedulers:
        assert process.wait(20) == 0

    done = _done_runs(sessions)
    engine.dispose()
    assert len(done) >= 4
    for earlier, later in itertools.pairwise(done):
        assert later.started_at >= earlier.finished_at


def _done_runs(sessions: sessionmaker[Session]) -> list[JobRun]:
    with sessions() as session:
        query = select(JobRun).where(JobRun.job_id == "outbox-delivery", JobRun.outcome == "done")
        return list(session.scalars(query.order_by(JobRun.started_at)))


def test_computing_by_hand_while_the_scheduler_computes_is_refused_in_one_line(
    empty_database_url: str, tmp_path: Path
) -> None:
    engine = make_engine(empty_database_url)
    migrate.upgrade(engine)
    sessions = make_session_factory(engine)
    assert lease.try_take(sessions, lease.INDICATORS, "scheduler", utc_now())
    env = {k: v for k, v in os.environ.items() if not k.startswith("PERINATAL_")}
    env["PERINATAL_DATABASE_URL"] = empty_database_url
    refused = subprocess.run(
        [str(Path(sys.executable).parent / "perinatal"), "compute"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 75
    assert refused.stderr.startswith("error: the indicators are being computed by another")
    assert "Traceback" not in refused.stderr
    lease.release(sessions, lease.INDICATORS, "scheduler")
    done = subprocess.run(
        [str(Path(sys.executable).parent / "perinatal"), "compute"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    engine.dispose()
