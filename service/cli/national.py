"""`perinatal national measures`: NHS England's CQIMs per provider over a window of months."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date

import click
import pandas as pd

from service.cli.state import CliState
from service.errors import ConfigurationError

pass_state = click.make_pass_decorator(CliState)
COLUMNS = [
    "measure", "org_code", "period_start", "period_end", "numerator", "denominator", "rate",
    "published", "reason",
]  # fmt: skip
QUALITY_COLUMNS = [
    "measure", "title", "org_code", "reporting_month", "window_start", "window_end",
    "numerator", "denominator", "checked_ratio", "passed", "note",
]  # fmt: skip


@click.group()
def national() -> None:
    """NHS England's national maternity measures, as published."""


@national.command()
@click.option("--from", "first", required=True, help="First month of births, YYYY-MM.")
@click.option("--to", "last", required=True, help="Last month of births, YYYY-MM.")
@click.option("--format", "output", type=click.Choice(["csv", "json", "fhir"]), default="csv",
              show_default=True,
              help="fhir: a Bundle of MeasureReports, counts disclosure-controlled.")  # fmt: skip
@click.option("--by", "breakdown_id", default=None, metavar="BREAKDOWN",
              help="Break each figure down by a national grouping: EthnicCategoryMotherGroup, "
              "DeprivationDecileAtBooking or AgeAtBookingMotherGroup (adds the columns "
              "breakdown and group).")  # fmt: skip
@pass_state
def measures(state: CliState, first: str, last: str, output: str, breakdown_id: str | None) -> None:
    """The CQIMs per provider over the births (or, for smoking at booking, the bookings) dated
    from --from to --to: one row per measure and provider; `published` is false, with the
    reason, where a data-quality gate withholds the rate or the product does not compute the
    measure yet."""
    from service.clock import utc_now
    from service.national.breakdowns import load_breakdowns
    from service.national.cqim import fields_read, load_cqims, national_figures
    from service.national.fhir_reports import reports_bundle
    from service.national.records import read_national_records
    from service.projection.reference_tables import hes_deliveries
    from service.storage import migrate
    from service.storage.engine import make_session_factory

    start, end = _month(first, "--from"), _month(last, "--to")
    if end < start:
        raise ConfigurationError(f"--to {last} is before --from {first}")
    period_end = pd.Period(end, "M").end_time.date()
    engine = state.engine()
    migrate.upgrade(engine)
    cqims = load_cqims()
    breakdowns = load_breakdowns()
    if breakdown_id is not None and breakdown_id not in breakdowns:
        raise ConfigurationError(
            f"--by {breakdown_id!r} is not a national breakdown ({', '.join(breakdowns)})"
        )
    breakdown = breakdowns[breakdown_id] if breakdown_id else None
    if breakdown and output == "fhir":
        raise ConfigurationError("--by is for csv and json; the MeasureReports are per provider")
    fields = fields_read(cqims) | (breakdown.fields if breakdown else set())
    with make_session_factory(engine)() as session:
        # Every birth and booking: a woman booked in the window gives birth months later.
        records = read_national_records(session, fields)
        hes = hes_deliveries(session)
    figures = national_figures(records, cqims, start, period_end, breakdown, hes)
    if output == "fhir":
        click.echo(json.dumps(reports_bundle(cqims, figures, utc_now()), indent=2))
        return
    columns = [*COLUMNS, "breakdown", "group"] if breakdown else COLUMNS
    rows = [
        {**f.as_row(), **({"breakdown": breakdown_id, "group": f.group} if breakdown else {})}
        for f in figures
    ]
    _write(rows, columns, output)


@national.command()
@click.option("--month", "reporting", required=True, help="Reporting month, YYYY-MM.")
@click.option("--format", "output", type=click.Choice(["csv", "json"]), default="csv",
              show_default=True)  # fmt: skip
@pass_state
def quality(state: CliState, reporting: str, output: str) -> None:
    """NHS England's CQIM data-quality measures (CQIMDQnn) per provider for a reporting month,
    each over its own window: the counts, the ratio NHS England checks (of the counts rounded
    as published) and whether it passes. A CQIM is published only where all it lists pass."""
    from service.national.cqim import gates_of, load_cqims, provider_of
    from service.national.quality_gates import fields_read, quality_results
    from service.national.records import read_national_records
    from service.projection.reference_tables import hes_deliveries
    from service.storage import migrate
    from service.storage.engine import make_session_factory

    month = pd.Period(_month(reporting, "--month"), "M")
    engine = state.engine()
    migrate.upgrade(engine)
    gates = gates_of(load_cqims())
    with make_session_factory(engine)() as session:
        fields = fields_read(gates) | {"site_code"}
        records = read_national_records(session, fields)
        hes = hes_deliveries(session)
    results = quality_results(records, gates, provider_of(records["site_code"]), [month], hes)
    by_id = {g.id: g for g in gates}
    rows = [
        result.as_row(by_id[result.measure])
        for result in sorted(results.values(), key=lambda r: (r.org_code, r.measure))
    ]
    _write(rows, QUALITY_COLUMNS, output)


def _write(rows: list[dict[str, object]], columns: list[str], output: str) -> None:
    if output == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    writer = csv.DictWriter(sys.stdout, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(
        {k: str(v).lower() if isinstance(v, bool) else v for k, v in r.items()} for r in rows
    )


def _month(text: str, option: str) -> date:
    try:
        return date.fromisoformat(f"{text}-01")
    except ValueError:
        raise ConfigurationError(f"{option} {text!r} is not a month in YYYY-MM") from None
