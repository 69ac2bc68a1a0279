"""The scheduler's heartbeat: each process records when it last ran a job loop, and the API's
health check reads it back."""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from service.storage.models import SchedulerHeartbeat


@dataclass(frozen=True)
class SchedulerIdentity:
    scheduler_id: str
    hostname: str
    pid: int
    started_at: datetime

    @classmethod
    def of_this_process(cls, started_at: datetime) -> SchedulerIdentity:
        return cls(uuid.uuid4().hex, socket.gethostname(), os.getpid(), started_at)


def beat(sessions: sessionmaker[Session], identity: SchedulerIdentity, now: datetime) -> None:
    with sessions.begin() as session:
        session.merge(
            SchedulerHeartbeat(
                scheduler_id=identity.scheduler_id,
                hostname=identity.hostname,
                pid=identity.pid,
                started_at=identity.started_at,
                beat_at=now,
            )
        )


def forget(sessions: sessionmaker[Session], identity: SchedulerIdentity) -> None:
    """Called on a clean shutdown, so a stopped scheduler is not mistaken for a live one."""
    with sessions.begin() as session:
        row = session.get(SchedulerHeartbeat, identity.scheduler_id)
        if row is not None:
            session.delete(row)


def live_schedulers(
    session: Session, now: datetime, interval_seconds: int
) -> list[SchedulerHeartbeat]:
    """Schedulers heard from within three heartbeat intervals."""
    since = now - timedelta(seconds=3 * interval_seconds)
    query = select(SchedulerHeartbeat).where(SchedulerHeartbeat.beat_at >= since)
    return list(session.scalars(query.order_by(SchedulerHeartbeat.beat_at.desc())))
