"""`perinatal scheduler`: the process that runs the scheduled jobs."""

from __future__ import annotations

import click

from service.cli.state import CliState

pass_state = click.make_pass_decorator(CliState)


@click.command()
@pass_state
def scheduler(state: CliState) -> None:
    """Run the scheduled jobs until stopped (SIGTERM or Ctrl+C)."""
    from service.scheduling.runner import run_scheduler

    click.echo("scheduler running; Ctrl+C stops")
    run_scheduler(state.settings)
    click.echo("scheduler stopped")
