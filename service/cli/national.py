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


@click.group()
def national() -> None:
    """NHS England's national maternity measures, as published."""


@national.command()
@click.option("--from", "first", required=True, help="First month of births, YYYY-MM.")
@click.option("--to", "last", required=True, help="Last month of births, YYYY-MM.")
@click.option("--format", "output", type=click.Choice(["csv", "json", "fhir"]), default="csv",
              show_default=True,
              help="fhir: a Bundle of MeasureReports, counts disclosure-controlled.")  # fmt: skip
@pass_state
def measures(state: CliState, first: str, last: str, output: str) -> None:
    """The CQIMs per provider over the births (or, for smoking at booking, the bookings) dated
    from --from to --to: one row per measure and provider; `published` is false, with the
    reason, where a data-quality gate withholds the rate or the product does not compute the
    measure yet."""
    from service.clock import utc_now
    from service.indicators.projection_frames import read_frames
    from service.national.cqim import fields_read, load_cqims, national_figures
    from service.national.fhir_reports import reports_bundle
    from service.storage import migrate
    from service.storage.engine import make_session_factory

    start, end = _month(first, "--from"), _month(last, "--to")
    if end < start:
        raise ConfigurationError(f"--to {last} is before --from {first}")
    period_end = pd.Period(end, "M").end_time.date()
    engine = state.engine()
    migrate.upgrade(engine)
    cqims = load_cqims()
    with make_session_factory(engine)() as session:
        # Every birth: a woman booked in the window gives birth months later.
        births = read_frames(session, fields={"births": fields_read(cqims)})["births"]
    figures = national_figures(births, cqims, start, period_end)
    if output == "fhir":
        click.echo(json.dumps(reports_bundle(cqims, figures, utc_now()), indent=2))
        return
    rows = [f.as_row() for f in figures]
    if output == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    writer = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({**r, "published": str(r["published"]).lower()} for r in rows)


def _month(text: str, option: str) -> date:
    try:
        return date.fromisoformat(f"{text}-01")
    except ValueError:
        raise ConfigurationError(f"{option} {text!r} is not a month in YYYY-MM") from None
