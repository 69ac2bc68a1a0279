"""Benchmark MSDS ingest against the reference CSV ingest of the same births, in one run.

    .venv/bin/python bench/national_ingest.py [--births-per-year N] [--years Y]

The same synthetic region (clean, seed 20231) is written as the maternity reference extract and
as MSDS v2 tables (one month resubmitted per provider, as a real submission history has); each
is loaded into its own new SQLite database without the projection, and timed from reading the
files to the last commit; each source `--repeats` times, alternating, and the fastest run kept
(this shared machine's timings vary by a third from run to run).

The issue's figure: MSDS throughput at least that of the CSV ingest. Throughput is resources
stored a second, as `bench/ingest.py` counts it. MSDS carries more facts per baby than the
reference extract (previous caesareans and stillbirths for Robson and VBAC, labour and caesarean
dates, the derived smoking statuses), so babies a second are shown beside it and compared too.
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
    parser.add_argument("--repeats", type=int, default=3)
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

        def csv_run(run: int):  # type: ignore[no-untyped-def]
            return ingest_file(
                sessions(f"csv-{run}.db"),
                folder / "maternity_births_v1.csv",
                default_mapping("maternity"),
                clock=utc_now,
                project=False,
            )

        msds = national_mapping("msds")

        def msds_run(run: int):  # type: ignore[no-untyped-def]
            return ingest_tables(
                sessions(f"msds-{run}.db"),
                "msds",
                lambda: read_folder(folder / "msds", msds.national.tables),  # type: ignore[union-attr]
                msds,
                clock=utc_now,
                project=False,
            )

        timings: dict[str, tuple[float, object]] = {}
        for run in range(args.repeats):
            for name, ingest in (("reference CSV", csv_run), ("MSDS v2 tables", msds_run)):
                started = time.perf_counter()
                loaded = ingest(run)
                seconds = time.perf_counter() - started
                if name not in timings or seconds < timings[name][0]:
                    timings[name] = (seconds, loaded)

    print(f"fastest of {args.repeats} runs each, alternating")
    print(f"{'source':<16}{'seconds':>9}{'babies/s':>11}{'resources':>11}{'resources/s':>13}")
    rates = {}
    for name, (seconds, loaded) in timings.items():
        resources = loaded.resources.created + loaded.resources.updated  # type: ignore[attr-defined]
        babies = loaded.rows_read  # type: ignore[attr-defined]
        rates[name] = (babies / seconds, resources / seconds)
        print(
            f"{name:<16}{seconds:>9.1f}{babies / seconds:>11,.0f}{resources:>11,}"
            f"{resources / seconds:>13,.0f}"
        )
    csv, msds_rates = rates["reference CSV"], rates["MSDS v2 tables"]
    by_resource, by_baby = msds_rates[1] / csv[1], msds_rates[0] / csv[0]
    verdict = "met" if by_resource >= 1 else "not met"
    print(
        f"MSDS throughput is {by_resource:.2f}× the CSV ingest's in resources/s "
        f"(target ≥ 1.00×: {verdict}); {by_baby:.2f}× in babies/s"
    )


if __name__ == "__main__":
    main()
