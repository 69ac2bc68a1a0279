"""Benchmark MSDS ingest against the reference CSV ingest of the same births, in one run.

    .venv/bin/python bench/national_ingest.py [--births-per-year N] [--years Y]

The same synthetic region (clean, seed 20231) is written as the maternity reference extract and
as MSDS v2 tables (one month resubmitted per provider, as a real submission history has); each
is loaded into its own new SQLite database without the projection, and timed from reading the
files to the last commit. The issue's figure: MSDS throughput at least that of the CSV ingest.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--births-per-year", type=int, default=5_000)
    parser.add_argument("--years", type=int, default=2)
    args = parser.parse_args()

    from sqlalchemy import create_engine

    from fhir_mappings.mapping.model import default_mapping, national_mapping
    from fhir_mappings.national.tables import read_folder
    from fhir_mappings.synthetic.files import write_extracts
    from fhir_mappings.synthetic.generator import generate
    from fhir_mappings.synthetic.national.msds import first_months, msds_tables
    from fhir_mappings.synthetic.national.writing import write_tables
    from fhir_mappings.synthetic.spec import SynthesisSpec
    from service.clock import utc_now
    from service.ingest.run import ingest_file, ingest_tables
    from service.storage import migrate
    from service.storage.engine import make_session_factory

    spec = SynthesisSpec(births_per_year=args.births_per_year, years=args.years, defect_rate=0)
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        result = generate(spec)
        write_extracts(result, folder)
        births = result.extracts["maternity"].frame
        tables = msds_tables(
            births, resubmitted=first_months(births), history=result.obstetric_history
        )
        write_tables(tables, folder / "msds")
        print(f"data: {len(births):,} babies ({args.births_per_year:,}/year × {args.years})")

        def sessions(name: str):  # type: ignore[no-untyped-def]
            engine = create_engine(f"sqlite:///{folder / name}")
            migrate.upgrade(engine)
            return make_session_factory(engine)

        timings = {}
        csv_sessions = sessions("csv.db")
        started = time.perf_counter()
        csv = ingest_file(
            csv_sessions,
            folder / "maternity_births_v1.csv",
            default_mapping("maternity"),
            clock=utc_now,
            project=False,
        )
        timings["reference CSV"] = (time.perf_counter() - started, csv)
        msds = national_mapping("msds")
        msds_sessions = sessions("msds.db")
        started = time.perf_counter()
        report = ingest_tables(
            msds_sessions,
            "msds",
            lambda: read_folder(folder / "msds", msds.national.tables),  # type: ignore[union-attr]
            msds,
            clock=utc_now,
            project=False,
        )
        timings["MSDS v2 tables"] = (time.perf_counter() - started, report)

    print(f"{'source':<16}{'seconds':>9}{'babies/s':>11}{'resources/s':>13}")
    for name, (seconds, loaded) in timings.items():
        resources = loaded.resources.created + loaded.resources.updated
        print(
            f"{name:<16}{seconds:>9.1f}{loaded.rows_read / seconds:>11,.0f}"
            f"{resources / seconds:>13,.0f}"
        )
    ratio = timings["reference CSV"][0] / timings["MSDS v2 tables"][0]
    verdict = "met" if ratio >= 1 else "not met"
    print(f"MSDS throughput is {ratio:.2f}× the CSV ingest's (target ≥ 1.00×: {verdict})")


if __name__ == "__main__":
    main()
