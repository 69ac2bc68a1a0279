"""Benchmark ingest: the default demo data (3 years × 10,000 births, all three extracts) into
PostgreSQL and SQLite, in births/s and FHIR resources/s, with peak memory; and, as the ceiling to
compare against, the same rows inserted as raw JSON with no mapping.

    .venv/bin/python bench/ingest.py [--births-per-year N] [--years Y]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

Each backend runs in its own process so its peak memory is its own. The PostgreSQL database is
created for the run and dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

FILES = {
    "maternity": "maternity_births_v1.csv",
    "neonatal": "neonatal_episodes_v1.csv",
    "health_visiting": "health_visiting_contacts_v1.csv",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--births-per-year", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--worker", nargs=2, metavar=("URL", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(run_backend(args.worker[0], Path(args.worker[1]))))
        return

    from fhir_mappings.synthetic.files import write_extracts
    from fhir_mappings.synthetic.generator import generate
    from fhir_mappings.synthetic.spec import SynthesisSpec

    with tempfile.TemporaryDirectory() as folder:
        result = generate(
            SynthesisSpec(births_per_year=args.births_per_year, years=args.years, defect_rate=0.02)
        )
        write_extracts(result, Path(folder))
        babies = result.truth["counts"]["babies"]
        print(
            f"data: {args.births_per_year:,} births/year × {args.years} years = {babies:,} "
            f"babies; rows {result.truth['counts']['extract_rows']}"
        )
        backends = {
            "sqlite": f"sqlite:///{Path(folder) / 'bench.db'}",
            "postgresql": _create_database(args.postgres),
        }
        try:
            for name, url in backends.items():
                completed = subprocess.run(
                    [sys.executable, __file__, "--worker", url, folder],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                figures = json.loads(completed.stdout.strip().splitlines()[-1])
                _print(name, figures, babies)
        finally:
            _drop_database(args.postgres, backends["postgresql"])


def run_backend(url: str, folder: Path) -> dict[str, float]:
    from fhir_mappings.mapping.model import default_mapping
    from service.clock import utc_now
    from service.ingest.run import ingest_file
    from service.projection.precedence import load_precedence
    from service.projection.refresh import rebuild, refresh
    from service.storage import migrate
    from service.storage.engine import make_engine, make_session_factory

    engine = make_engine(url)
    migrate.upgrade(engine)
    sessions = make_session_factory(engine)
    started = time.perf_counter()
    resources = 0
    for source, name in FILES.items():
        report = ingest_file(
            sessions, folder / name, default_mapping(source), clock=utc_now, project=False
        )
        resources += report.resources.total
    seconds = time.perf_counter() - started
    ingest_peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    storage = _storage(sessions)
    precedence = load_precedence()
    started = time.perf_counter()
    projected = refresh(sessions, precedence=precedence).counts()
    refresh_seconds = time.perf_counter() - started
    started = time.perf_counter()
    rebuild(sessions, precedence=precedence, now=utc_now())
    rebuild_seconds = time.perf_counter() - started
    started = time.perf_counter()
    reloaded = sum(
        ingest_file(sessions, folder / name, default_mapping(source), clock=utc_now).rows_read
        for source, name in FILES.items()
    )
    reload_seconds = time.perf_counter() - started
    raw_rows, raw_seconds = _raw_json_ceiling(sessions, folder)
    return {
        "seconds": seconds,
        "resources": resources,
        "refresh_seconds": refresh_seconds,
        "rebuild_seconds": rebuild_seconds,
        "families": projected["families"],
        "births": projected["births"],
        "contacts": projected["contacts"],
        "reload_seconds": reload_seconds,
        "reloaded_rows": reloaded,
        "raw_rows": raw_rows,
        "raw_seconds": raw_seconds,
        "ingest_peak_mib": ingest_peak_mib,
        "source_rows": reloaded,
        **storage,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _storage(sessions: object) -> dict[str, float]:
    """The store's bytes (tables and indexes) beside the resources' JSON uncompressed, and what
    reading a stored resource costs beside parsing its JSON alone."""
    import orjson
    from sqlalchemy import LargeBinary, func, select, text, type_coerce

    from service.storage.models import FhirResource
    from service.storage.resource_json import unpack

    with sessions.begin() as session:  # type: ignore[attr-defined]
        if session.get_bind().dialect.name == "postgresql":
            store_bytes = session.scalar(text("SELECT pg_database_size(current_database())"))
        else:
            session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
            pages = session.scalar(text("PRAGMA page_count"))
            free = session.scalar(text("PRAGMA freelist_count"))
            store_bytes = (pages - free) * session.scalar(text("PRAGMA page_size"))
        resources = session.scalar(select(func.count()).select_from(FhirResource))
        stored = session.scalars(
            select(type_coerce(FhirResource.resource, LargeBinary)).limit(50_000)
        ).all()
    texts = [unpack(value) for value in stored]
    started = time.perf_counter()
    for value in stored:
        orjson.loads(unpack(value))
    read_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for value in texts:
        orjson.loads(value)
    parse_seconds = time.perf_counter() - started
    return {
        "store_bytes_per_resource": store_bytes / resources,
        "json_bytes_per_resource": sum(map(len, texts)) / len(texts),
        "stored_bytes_per_resource": sum(map(len, stored)) / len(stored),
        "read_us": read_seconds / len(stored) * 1e6,
        "parse_us": parse_seconds / len(stored) * 1e6,
    }


def _raw_json_ceiling(sessions: object, folder: Path) -> tuple[int, float]:
    """Every source row as one JSON document, through the same bulk path, no mapping."""
    from datetime import UTC, datetime

    import orjson
    from sqlalchemy import text

    from fhir_mappings.extract_file import read_header, read_rows
    from service.storage.bulk import insert_rows

    now = datetime.now(UTC)
    rows = 0
    started = time.perf_counter()
    with sessions.begin() as session:  # type: ignore[attr-defined]
        session.execute(
            text("CREATE TABLE raw_row (id VARCHAR(64), recorded_at TIMESTAMP, row TEXT)")
        )
        for name in FILES.values():
            header = read_header(folder / name)
            batch = []
            for source_row in read_rows(folder / name):
                batch.append(
                    (
                        str(uuid.uuid4()),
                        now,
                        orjson.dumps(dict(zip(header, source_row.values, strict=False))).decode(),
                    )
                )
                if len(batch) == 5_000:
                    insert_rows(session, "raw_row", ("id", "recorded_at", "row"), batch)
                    rows += len(batch)
                    batch = []
            insert_rows(session, "raw_row", ("id", "recorded_at", "row"), batch)
            rows += len(batch)
    return rows, time.perf_counter() - started


def _create_database(admin_url: str) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"perinatal_bench_{uuid.uuid4().hex[:8]}"
    with create_engine(admin_url, isolation_level="AUTOCOMMIT").connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def _drop_database(admin_url: str, url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    with create_engine(admin_url, isolation_level="AUTOCOMMIT").connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _print(name: str, f: dict[str, float], babies: int) -> None:
    print(
        f"{name}: ingest {f['seconds']:.1f} s = {babies / f['seconds']:,.0f} births/s, "
        f"{f['resources'] / f['seconds']:,.0f} resources/s ({f['resources']:,.0f} resources); "
        f"projection of everything {f['refresh_seconds']:.1f} s "
        f"({f['families']:,.0f} families, {f['births'] / f['refresh_seconds']:,.0f} births/s, "
        f"{f['contacts']:,.0f} contacts), rebuild {f['rebuild_seconds']:.1f} s; "
        f"re-ingest unchanged {f['reload_seconds']:.1f} s "
        f"({f['reloaded_rows'] / f['reload_seconds']:,.0f} rows/s); "
        f"raw JSON ceiling {f['raw_rows'] / f['raw_seconds']:,.0f} rows/s: ingest's "
        f"resources/s {f['resources'] / f['seconds'] / (f['raw_rows'] / f['raw_seconds']):.0%} "
        "of it (target ≥ 30%, and ≥ 20,000 resources/s), its source rows/s "
        f"{f['source_rows'] / f['seconds'] / (f['raw_rows'] / f['raw_seconds']):.1%}; "
        f"store {f['store_bytes_per_resource'] / 1000:.2f} KB a resource, index included "
        f"(target ≤ 1.0; a resource's JSON alone, uncompressed: "
        f"{f['json_bytes_per_resource'] / 1000:.2f} KB; stored compressed "
        f"{f['stored_bytes_per_resource']:.0f} B); reading a stored resource "
        f"{f['read_us']:.1f} µs against parsing its JSON alone {f['parse_us']:.1f} µs; "
        f"peak memory {f['ingest_peak_mib']:,.0f} MiB after ingest, {f['peak_mib']:,.0f} MiB "
        "after all"
    )


if __name__ == "__main__":
    main()
