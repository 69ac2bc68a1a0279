"""`perinatal scheduler` runs as its own process: it beats while alive and, stopped with
SIGTERM, exits cleanly and withdraws its heartbeat."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select

from service.storage.engine import make_engine, make_session_factory
from service.storage.models import SchedulerHeartbeat


def heartbeats(url: str) -> list[SchedulerHeartbeat]:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            return list(session.scalars(select(SchedulerHeartbeat)))
    except Exception:  # noqa: BLE001 - the table may not exist until the process migrates
        return []
    finally:
        engine.dispose()


def test_the_scheduler_beats_and_stops_cleanly_even_when_signalled_twice(
    empty_database_url: str, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PERINATAL_")}
    env |= {
        "PERINATAL_DATABASE_URL": empty_database_url,
        "PERINATAL_SCHEDULER_HEARTBEAT_SECONDS": "1",
    }
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "perinatal"), "scheduler"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        seen: list[SchedulerHeartbeat] = []
        while time.monotonic() < deadline and not seen:
            time.sleep(0.3)
            seen = heartbeats(empty_database_url)
        assert seen, "no heartbeat within 30 s"
        first = seen[0].beat_at
        latest = first
        while time.monotonic() < deadline and latest == first:
            time.sleep(0.3)
            # A read can meet the scheduler mid-write and see nothing: keep the last beat seen.
            latest = max((beat.beat_at for beat in heartbeats(empty_database_url)), default=first)
        assert latest > first
        assert seen[0].pid == process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)

    assert process.returncode == 0, err
    assert "scheduler stopped" in out
    assert heartbeats(empty_database_url) == []
