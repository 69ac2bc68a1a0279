"""`perinatal serve`: run the HTTP service with uvicorn."""

from __future__ import annotations

import click

from service.cli.state import CliState
from service.config import Settings

pass_state = click.make_pass_decorator(CliState)


@click.command()
@click.option("--host", default=None, help="Address to listen on [default: PERINATAL_HOST].")
@click.option("--port", type=int, default=None, help="Port [default: PERINATAL_PORT].")
@pass_state
def serve(state: CliState, host: str | None, port: int | None) -> None:
    """Serve the API (migrating the database first)."""
    run_server(state, host, port)


def run_server(
    state: CliState, host: str | None, port: int | None, settings: Settings | None = None
) -> None:
    import uvicorn

    from service.api.access_log import redact_access_log
    from service.api.app import create_app

    settings = settings or state.settings
    host, port = host or settings.host, port or settings.port
    if not settings.api_tokens:
        click.echo(
            "warning: PERINATAL_API_TOKENS is not set, so every FHIR request except "
            "/fhir/metadata will be refused (401)",
            err=True,
        )
    click.echo(f"serving on http://{host}:{port}: FHIR at /fhir, health at /healthz; Ctrl+C stops")
    config = uvicorn.Config(
        create_app(settings), host=host, port=port, log_level=settings.log_level.lower()
    )
    server = uvicorn.Server(config)  # configures uvicorn's loggers, so the filter goes after
    redact_access_log()
    server.run()
