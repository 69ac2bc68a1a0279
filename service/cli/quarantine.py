"""`perinatal quarantine`: see the rows ingest refused, and export them for correction.

A corrected export can be loaded again with `perinatal ingest`; the rows that now pass are
released from quarantine. The extra columns the export adds (`_quarantine_id`, `_findings`) are
ignored by the mappings."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import click

from service.cli.state import CliState
from service.errors import InputError

pass_state = click.make_pass_decorator(CliState)


@click.group()
def quarantine() -> None:
    """Rows refused by ingest, with their findings."""


@quarantine.command(name="list")
@click.option("--source", type=click.Choice(["maternity", "neonatal", "health_visiting"]))
@click.option("--rule", help="Only rows that failed this rule.")
@click.option("--all", "include_resolved", is_flag=True, help="Include released rows.")
@click.option("--limit", type=int, default=50, show_default=True)
@pass_state
def list_rows(
    state: CliState, source: str | None, rule: str | None, include_resolved: bool, limit: int
) -> None:
    """List quarantined rows: id, source, file and row, status, failed rules."""
    rows = _query(state, source, rule, include_resolved)
    click.echo(f"{len(rows):,} rows")
    for row in rows[:limit]:
        rules = ", ".join(sorted({r.rule for r in row.reasons}))
        click.echo(
            f"{row.id:>7}  {row.source_system:<15} {row.ingest_run.file_name} row "
            f"{row.row_number}  {row.status:<8} {rules}"
        )


@quarantine.command()
@click.argument("row_id", type=int)
@pass_state
def show(state: CliState, row_id: int) -> None:
    """Show one quarantined row as received, with each finding."""
    from service.storage.engine import make_session_factory
    from service.storage.models import QuarantinedRow

    with make_session_factory(state.engine())() as session:
        row = session.get(QuarantinedRow, row_id)
        if row is None:
            raise InputError(f"no quarantined row {row_id}")
        click.echo(
            f"{row.source_system} {row.ingest_run.file_name} row {row.row_number} ({row.status})"
        )
        for reason in row.reasons:
            click.echo(f"  {reason.field or '(row)'}: {reason.rule}: {reason.message}")
        for column, value in row.raw_row.items():
            click.echo(f"    {column} = {value}")


@quarantine.command()
@click.option(
    "--source", type=click.Choice(["maternity", "neonatal", "health_visiting"]), required=True
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--rule", help="Only rows that failed this rule.")
@pass_state
def export(state: CliState, source: str, out: Path, rule: str | None) -> None:
    """Write a source's open quarantined rows to a CSV for correction and re-ingest."""
    rows = _query(state, source, rule, include_resolved=False)
    columns = list(dict.fromkeys(c for row in rows for c in row.raw_row))
    try:
        with out.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow([*columns, "_quarantine_id", "_findings"])
            for row in rows:
                findings = "; ".join(f"{r.field}: {r.message}" for r in row.reasons)
                writer.writerow([*(row.raw_row.get(c, "") for c in columns), row.id, findings])
    except OSError as error:
        raise InputError(f"cannot write {out}: {error.strerror}") from None
    click.echo(f"wrote {len(rows):,} rows to {out}")


def _query(
    state: CliState, source: str | None, rule: str | None, include_resolved: bool
) -> list[Any]:
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from service.storage.engine import make_session_factory
    from service.storage.models import QuarantinedRow, QuarantineReason

    query = select(QuarantinedRow).options(
        selectinload(QuarantinedRow.reasons), selectinload(QuarantinedRow.ingest_run)
    )
    if source:
        query = query.where(QuarantinedRow.source_system == source)
    if not include_resolved:
        query = query.where(QuarantinedRow.status == "open")
    if rule:
        query = query.where(QuarantinedRow.reasons.any(QuarantineReason.rule == rule))
    with make_session_factory(state.engine())() as session:
        return list(session.scalars(query.order_by(QuarantinedRow.id)))
