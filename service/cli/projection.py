"""`perinatal projection` and `perinatal reference`: the analytic layer the indicators read.

The projection refreshes itself after every ingest; `refresh` catches up with anything still
queued (for example after an interrupted load), `rebuild` derives it again from every stored
resource, and `issues` lists the disagreements found between the source systems.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from service.cli.state import CliState
from service.errors import InputError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

pass_state = click.make_pass_decorator(CliState)


@click.group()
def projection() -> None:
    """The analytic projection: linked, reconciled rows per birth, contact and referral."""


@projection.command()
@pass_state
def refresh(state: CliState) -> None:
    """Project the families whose resources changed since the last refresh."""
    click.echo(refresh_projection(state))


@projection.command()
@pass_state
def rebuild(state: CliState) -> None:
    """Derive the whole projection again from the stored FHIR resources."""
    from service.cli.ingest import describe_projection
    from service.clock import utc_now
    from service.projection.refresh import rebuild as rebuild_all

    report = rebuild_all(_sessions(state), precedence=state.precedence(), now=utc_now())
    click.echo(describe_projection(report))


@projection.command()
@click.option("--rule", help="Only issues of this rule (e.g. cross_source_birth_weight).")
@click.option("--limit", type=int, default=20, show_default=True)
@pass_state
def issues(state: CliState, rule: str | None, limit: int) -> None:
    """Count the data-quality issues by rule, and show the first of them."""
    from sqlalchemy import select

    from service.storage.models import DataQualityIssue

    for name, count in issue_counts(state).items():
        click.echo(f"{name:<28} {count:>7,}")
    with _sessions(state)() as session:
        query = select(DataQualityIssue).order_by(DataQualityIssue.rule, DataQualityIssue.id)
        if rule:
            query = query.where(DataQualityIssue.rule == rule)
        for issue in session.scalars(query.limit(limit)):
            click.echo(f"  [{issue.rule}] {issue.message} (baby {issue.baby_id})")


@click.group()
def reference() -> None:
    """Reference tables: postcode → LSOA, LSOA → IMD decile and HES annual deliveries."""


@reference.command()
@click.option(
    "--postcodes",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Postcode → LSOA lookup in the ONS layout (pcds, lsoa11 or lsoa21).",
)
@click.option(
    "--imd",
    type=click.Path(dir_okay=False, path_type=Path),
    help="English Indices of Deprivation file 7 (LSOA code, IMD decile).",
)
@click.option(
    "--hes-deliveries",
    type=click.Path(dir_okay=False, path_type=Path),
    help="HES annual deliveries per provider (OrgCodeProviderMerge, TotalDeliveries_HES), "
    "for NHS England's CQIM data-quality measures.",
)
@pass_state
def load(
    state: CliState, postcodes: Path | None, imd: Path | None, hes_deliveries: Path | None
) -> None:
    """Load the tables (replacing the loaded version), then re-derive the projection when a
    deprivation table changed."""
    if postcodes is None and imd is None and hes_deliveries is None:
        raise InputError("give --postcodes FILE, --imd FILE and/or --hes-deliveries FILE")
    from service.cli.ingest import describe_projection
    from service.clock import utc_now
    from service.projection.refresh import rebuild as rebuild_all

    sessions = _sessions(state)
    load_reference_tables(state, postcodes, imd, hes_deliveries)
    if postcodes is None and imd is None:
        return
    report = rebuild_all(sessions, precedence=state.precedence(), now=utc_now())
    click.echo(describe_projection(report))


def refresh_projection(state: CliState) -> str:
    """Project what is queued, then recount the indicator months that changed."""
    from service.cli.indicators import describe_compute, run_compute
    from service.cli.ingest import describe_projection
    from service.projection.refresh import refresh as refresh_queue

    sessions = _sessions(state)
    projection = describe_projection(refresh_queue(sessions, precedence=state.precedence()))
    return projection + "\n" + describe_compute(run_compute(sessions, full=False))


def issue_counts(state: CliState) -> dict[str, int]:
    from sqlalchemy import func, select

    from service.storage.models import DataQualityIssue

    with _sessions(state)() as session:
        rows = session.execute(
            select(DataQualityIssue.rule, func.count())
            .group_by(DataQualityIssue.rule)
            .order_by(DataQualityIssue.rule)
        )
        return {rule: count for rule, count in rows}


def load_reference_tables(
    state: CliState, postcodes: Path | None, imd: Path | None, hes: Path | None = None
) -> None:
    from service.clock import utc_now
    from service.projection.reference_tables import (
        load_hes_deliveries,
        load_imd,
        load_postcode_lookup,
    )

    with _sessions(state).begin() as session:
        if postcodes is not None:
            rows = load_postcode_lookup(session, postcodes, now=utc_now())
            click.echo(f"{postcodes.name}: {rows:,} postcodes")
        if imd is not None:
            rows = load_imd(session, imd, now=utc_now())
            click.echo(f"{imd.name}: {rows:,} LSOAs")
        if hes is not None:
            rows = load_hes_deliveries(session, hes, now=utc_now())
            click.echo(f"{hes.name}: HES deliveries of {rows:,} provider{'s' * (rows != 1)}")


def _sessions(state: CliState) -> sessionmaker[Session]:
    return state.sessions()
