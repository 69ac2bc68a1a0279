"""Benchmark the indicator computation: a full recompute of every indicator × stratification ×
month, and an incremental one after a one-month ingest, for 1, 5 and 10 years of a
10,000-births-a-year region, on SQLite and PostgreSQL.

    .venv/bin/python bench/compute.py [--births-per-year N] [--years 1 5 10]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

The analytic projection is made once through the real pipeline (one synthetic year ingested as
FHIR and projected), then repeated year after year with shifted dates and fresh ids: ingesting
ten years would take a quarter of an hour and is benchmarked by bench/ingest.py. The incremental
run recounts what a one-month ingest queues: the month's births and the months of their
families' health-visiting contacts.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import pandas as pd


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--births-per-year", type=int, default=10_000)
    parser.add_argument("--years", type=int, nargs="+", default=[1, 5, 10])
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        births, contacts = one_projected_year(Path(folder), args.births_per_year)
        print(
            f"one year through the pipeline: {len(births):,} births, {len(contacts):,} contacts "
            f"in {time.perf_counter() - started:.0f} s"
        )
        print(f"{'backend':<11} {'years':>5} {'births':>8} {'full s':>7} {'incr s':>7}  detail")
        for years in args.years:
            for backend in ("sqlite", "postgresql"):
                url = (
                    f"sqlite:///{Path(folder) / f'bench-{years}.db'}"
                    if backend == "sqlite"
                    else _create_database(args.postgres)
                )
                try:
                    figures = run(url, births, contacts, years)
                finally:
                    if backend == "postgresql":
                        _drop_database(args.postgres, url)
                print(
                    f"{backend:<11} {years:>5} {figures['births']:>8,} "
                    f"{figures['full']:>7.2f} {figures['incremental']:>7.2f}  "
                    f"full {figures['full_timings']}; incremental {figures['months']} months "
                    f"{figures['incremental_timings']}; ceiling, reading the projection alone: "
                    f"{figures['read']:.2f} s (targets: full < 10 s, incremental < 0.5 s)"
                )


def one_projected_year(folder: Path, births_per_year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    from fhir_mappings.mapping.model import default_mapping
    from fhir_mappings.synthetic.files import write_extracts
    from fhir_mappings.synthetic.generator import generate
    from fhir_mappings.synthetic.spec import SynthesisSpec
    from service.cli.demo import DEMO_EXTRACTS
    from service.clock import utc_now
    from service.ingest.run import ingest_file
    from service.projection.precedence import load_precedence
    from service.projection.reference_tables import load_imd, load_postcode_lookup
    from service.projection.refresh import refresh
    from service.storage import migrate
    from service.storage.engine import make_engine, make_session_factory

    write_extracts(
        generate(SynthesisSpec(births_per_year=births_per_year, years=1, defect_rate=0.02)),
        folder,
    )
    engine = make_engine(f"sqlite:///{folder / 'base.db'}")
    migrate.upgrade(engine)
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        load_postcode_lookup(session, folder / "reference/postcode_lsoa.csv", now=utc_now())
        load_imd(session, folder / "reference/imd2019_lsoa.csv", now=utc_now())
    for source, name in DEMO_EXTRACTS.items():
        ingest_file(sessions, folder / name, default_mapping(source), clock=utc_now, project=False)
    refresh(sessions, precedence=load_precedence())
    with engine.connect() as connection:
        births = pd.read_sql("SELECT * FROM analytic_birth", connection)
        contacts = pd.read_sql("SELECT * FROM analytic_contact", connection)
    engine.dispose()
    return births, contacts


def repeated(frame: pd.DataFrame, years: int, key: str, dates: tuple[str, ...]) -> pd.DataFrame:
    """The year's rows again for each further year: dates shifted, ids and families renamed."""
    copies = []
    for year in range(years):
        copy = frame.copy()
        copy[key] = copy[key] + f"-{year}"
        copy["family_key"] = copy["family_key"] + f"-{year}"
        if "baby_id" in copy and key != "baby_id":
            copy["baby_id"] = copy["baby_id"].where(
                copy["baby_id"].isna(), copy["baby_id"] + f"-{year}"
            )
        for column in dates:
            shifted = pd.to_datetime(copy[column]) + pd.DateOffset(years=year)
            copy[column] = shifted.dt.date
        copies.append(copy)
    return pd.concat(copies, ignore_index=True)


def run(url: str, births: pd.DataFrame, contacts: pd.DataFrame, years: int) -> dict[str, Any]:
    import orjson
    from sqlalchemy import insert, select

    from service.clock import utc_now
    from service.indicators.run import compute
    from service.storage import migrate
    from service.storage.engine import make_engine, make_session_factory
    from service.storage.models import AnalyticBirth, AnalyticContact, IndicatorStaleMonth

    engine = make_engine(url)
    migrate.upgrade(engine)
    sessions = make_session_factory(engine)
    many_births = repeated(births, years, "baby_id", ("birth_date", "birth_month", "booking_date"))
    many_contacts = repeated(contacts, years, "contact_id", ("contact_date", "contact_month"))
    many_births["field_sources"] = many_births["field_sources"].map(
        lambda v: orjson.loads(v) if isinstance(v, str) else v
    )
    for frame, model in ((many_births, AnalyticBirth), (many_contacts, AnalyticContact)):
        records = frame.astype(object).where(frame.notna(), None).to_dict("records")
        with sessions.begin() as session:
            for start in range(0, len(records), 5_000):
                session.execute(insert(model), records[start : start + 5_000])
    full = compute(sessions, now=utc_now, full=True)
    # A one-month ingest: the latest month's births and their families' contact months.
    latest = max(many_births["birth_month"])
    families = set(many_births.loc[many_births["birth_month"] == latest, "family_key"])
    months = {latest} | set(
        many_contacts.loc[many_contacts["family_key"].isin(families), "contact_month"]
    )
    with sessions.begin() as session:
        session.execute(insert(IndicatorStaleMonth), [{"period": m} for m in sorted(months)])
    incremental = compute(sessions, now=utc_now, full=False)
    with sessions() as session:
        assert not session.scalars(select(IndicatorStaleMonth.period)).all()
    # The ceiling: only reading every row the full recompute counts, straight from the driver.
    started = time.perf_counter()
    with engine.connect() as connection:
        for table in ("analytic_birth", "analytic_contact"):
            connection.exec_driver_sql(f"SELECT * FROM {table}").fetchall()
    read_seconds = time.perf_counter() - started
    engine.dispose()
    return {
        "births": len(many_births),
        "full": full.seconds,
        "full_timings": full.timings,
        "incremental": incremental.seconds,
        "incremental_timings": incremental.timings,
        "months": incremental.months_counted,
        "read": read_seconds,
    }


def _create_database(admin_url: str) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"bench_compute_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def _drop_database(admin_url: str, url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


if __name__ == "__main__":
    main()
