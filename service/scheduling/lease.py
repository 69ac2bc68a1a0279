"""A job lease in the database: exactly one scheduler process runs a job at a time, even when
two were started by mistake. Taking the lease is one conditional UPDATE (it succeeds only if
the lease is free or lapsed), so it is atomic on PostgreSQL and SQLite alike. The holder
renews it while the job runs; a crashed holder's lease lapses after `LEASE`."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from service.storage.models import JobLease

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
# Every computation of the indicators (the nightly recompute, the projection refresh, an ingest,
# `perinatal compute`) rewrites the same results: they share this lease.
INDICATORS = "indicators"


def try_take(sessions: sessionmaker[Session], name: str, holder: str, now: datetime) -> bool:
    _ensure_row(sessions, name)
    with sessions.begin() as session:
        taken = session.execute(
            update(JobLease)
            .where(
                JobLease.name == name,
                or_(JobLease.holder.is_(None), JobLease.expires_at < now),
            )
            .values(holder=holder, acquired_at=now, expires_at=now + LEASE)
            .execution_options(synchronize_session=False)
        )
        return bool(taken.rowcount == 1)  # type: ignore[attr-defined]


def renew(sessions: sessionmaker[Session], name: str, holder: str, now: datetime) -> bool:
    with sessions.begin() as session:
        renewed = session.execute(
            update(JobLease)
            .where(JobLease.name == name, JobLease.holder == holder)
            .values(expires_at=now + LEASE)
            .execution_options(synchronize_session=False)
        )
        return bool(renewed.rowcount == 1)  # type: ignore[attr-defined]


def release(sessions: sessionmaker[Session], name: str, holder: str) -> None:
    with sessions.begin() as session:
        session.execute(
            update(JobLease)
            .where(JobLease.name == name, JobLease.holder == holder)
            .values(holder=None, expires_at=None)
            .execution_options(synchronize_session=False)
        )


def _ensure_row(sessions: sessionmaker[Session], name: str) -> None:
    with sessions() as session:
        if session.scalar(select(JobLease.name).where(JobLease.name == name)) is not None:
            return
    try:
        with sessions.begin() as session:
            session.add(JobLease(name=name))
    except IntegrityError:
        pass  # the other process made it first: the same row either way


@contextmanager
def held(
    sessions: sessionmaker[Session],
    name: str,
    holder: str,
    now: Callable[[], datetime],
    renew_every: float = LEASE.total_seconds() / 4,
) -> Iterator[bool]:
    """Yields whether the lease was taken; while it is held, a thread renews it."""
    if not try_take(sessions, name, holder, now()):
        yield False
        return
    stop = threading.Event()

    def keep() -> None:
        while not stop.wait(renew_every):
            try:
                renewed = renew(sessions, name, holder, now())
            except OperationalError as error:  # e.g. SQLite busy with the job's own writes
                log.warning("could not renew the %s lease yet: %s", name, error)
                continue
            if not renewed:
                log.error("lost the %s lease", name)
                return

    renewer = threading.Thread(target=keep, name=f"lease-{name}", daemon=True)
    renewer.start()
    try:
        yield True
    finally:
        stop.set()
        renewer.join()
        release(sessions, name, holder)
