"""Engine and session factories. Engines are made on demand, never at import time."""

from __future__ import annotations

from pathlib import Path

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

# Enough connections for every request the API's worker threads can run at once (anyio's
# default limiter is 40), so a burst of requests never queues on the pool.
POOL = {"pool_size": 16, "max_overflow": 32}


def make_engine(database_url: str) -> Engine:
    """An engine for `database_url`; for a SQLite file, its folder is created first."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, json_deserializer=orjson.loads, **POOL)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # No pre-ping: it would add a round trip to every request. A connection the server dropped
    # fails its next statement, which invalidates the pool; connections are also renewed hourly.
    return create_engine(url, pool_recycle=3600, json_deserializer=orjson.loads, **POOL)


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    # Foreign keys are off by default in SQLite; WAL lets the API read while an ingest writes.
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # Memory-mapped reads make the projection's scattered reads about a sixth faster. Bounded,
    # because mapped pages count as the process's memory and would grow with the database.
    cursor.execute("PRAGMA mmap_size=268435456")
    # A 64 MiB page cache (SQLite's default is 2 MiB): ingest writes into a dozen B-trees at
    # once, and with the small cache nearly every row evicted a page another would need.
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
