"""The `perinatal` command line: one entry point, a module per command.

Errors a user can fix are printed as one line (`error: …`) with a non-zero exit code; anything
unexpected is also one line, with `--debug` to see the traceback. Commands import their heavy
dependencies (pandas, SQLAlchemy, uvicorn) inside the command, so `--help` answers at once.
"""

from __future__ import annotations

import logging
from typing import Any

import click
from pydantic import ValidationError

from service.cli.alerts import alerts
from service.cli.db import db
from service.cli.demo import demo
from service.cli.indicators import compute, indicators, interventions, notes
from service.cli.ingest import ingest
from service.cli.national import national
from service.cli.projection import projection, reference
from service.cli.quarantine import quarantine
from service.cli.scheduler import scheduler
from service.cli.serve import serve
from service.cli.state import CliState
from service.cli.synth import synth
from service.cli.users import users
from service.errors import PerinatalError

INTERNAL_ERROR_EXIT = 70  # EX_SOFTWARE


class PerinatalGroup(click.Group):
    """A click group that turns exceptions into one-line messages."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except PerinatalError as error:
            _fail(ctx, str(error), error.exit_code)
        except ValidationError as error:
            _fail(ctx, describe_validation_error(error), 2)
        except KeyboardInterrupt:
            _fail(ctx, "interrupted", 130)
        except Exception as error:  # noqa: BLE001 - the last line of defence against tracebacks
            _fail(
                ctx,
                f"internal error: {type(error).__name__}: {error} "
                "(run `perinatal --debug …` for the traceback)",
                INTERNAL_ERROR_EXIT,
            )


def _fail(ctx: click.Context, message: str, code: int) -> None:
    state = ctx.find_object(CliState)
    if state is not None and state.debug:
        raise
    click.echo(f"error: {message}", err=True)
    ctx.exit(code)


def describe_validation_error(error: ValidationError) -> str:
    first = error.errors()[0]
    field = "--" + "-".join(str(part) for part in first["loc"]).replace("_", "-")
    reason = first["msg"].removeprefix("Value error, ")
    return f"invalid {field}: {reason} (got {first.get('input')!r})"


@click.group(cls=PerinatalGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.version_option(package_name="perinatal-equity")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Perinatal equity: source extracts to FHIR, indicators, alerts and a dashboard."""
    ctx.obj = CliState(debug=debug)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


cli.add_command(synth)
cli.add_command(db)
cli.add_command(demo)
cli.add_command(serve)
cli.add_command(scheduler)
cli.add_command(ingest)
cli.add_command(quarantine)
cli.add_command(projection)
cli.add_command(reference)
cli.add_command(compute)
cli.add_command(indicators)
cli.add_command(interventions)
cli.add_command(notes)
cli.add_command(alerts)
cli.add_command(users)
cli.add_command(national)


def main() -> None:
    cli(prog_name="perinatal")


if __name__ == "__main__":
    main()
