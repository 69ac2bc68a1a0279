"""`perinatal serve`: run the HTTP service with uvicorn."""

from __future__ import annotations

import json
import os

import click

from service.cli.state import CliState
from service.config import ENV_PREFIX, Settings

pass_state = click.make_pass_decorator(CliState)


@click.command()
@click.option("--host", default=None, help="Address to listen on [default: PERINATAL_HOST].")
@click.option("--port", type=int, default=None, help="Port [default: PERINATAL_PORT].")
@click.option(
    "--workers", type=int, default=None, help="Worker processes [default: PERINATAL_WORKERS]."
)
@pass_state
def serve(state: CliState, host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the API (migrating the database first)."""
    run_server(state, host, port, workers=workers)


def run_server(
    state: CliState,
    host: str | None,
    port: int | None,
    settings: Settings | None = None,
    *,
    workers: int | None = None,
) -> None:
    import uvicorn

    from service.api.access_log import logging_config
    from service.api.app import create_app
    from service.storage import migrate
    from service.storage.engine import make_engine

    settings = settings or state.settings
    host, port = host or settings.host, port or settings.port
    if not settings.api_tokens:
        click.echo(
            "warning: PERINATAL_API_TOKENS is not set, so every FHIR request except "
            "/fhir/metadata will be refused (401)",
            err=True,
        )
    click.echo(f"serving on http://{host}:{port}: FHIR at /fhir, health at /healthz; Ctrl+C stops")
    workers = workers or settings.workers
    log_level, log_config = settings.log_level.lower(), logging_config()
    if workers == 1:
        app = create_app(settings)
        uvicorn.run(app, host=host, port=port, log_level=log_level, log_config=log_config)
        return
    # Worker processes read the settings from the environment, where everything but the
    # tokens (which the demo makes) already is.
    os.environ[f"{ENV_PREFIX}API_TOKENS"] = json.dumps(settings.api_tokens)
    migrate.upgrade(make_engine(settings.database_url))  # once, not racing in every worker
    uvicorn.run(
        "service.api.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        log_config=log_config,
    )
