"""`perinatal db`: the database schema (Alembic migrations)."""

from __future__ import annotations

import click

from service.cli.state import CliState

pass_state = click.make_pass_decorator(CliState)


@click.group()
def db() -> None:
    """Create and migrate the database schema."""


@db.command()
@click.option("--revision", default="head", show_default=True, help="Target revision.")
@pass_state
def upgrade(state: CliState, revision: str) -> None:
    """Migrate the database up to REVISION (creating it when empty)."""
    from service.storage import migrate

    engine = state.engine()
    migrate.upgrade(engine, revision)
    click.echo(f"database at revision {migrate.current_revision(engine)}")


@db.command()
@click.argument("revision")
@pass_state
def downgrade(state: CliState, revision: str) -> None:
    """Migrate the database down to REVISION (`base` removes every table)."""
    from service.storage import migrate

    engine = state.engine()
    migrate.downgrade(engine, revision)
    click.echo(f"database at revision {migrate.current_revision(engine) or 'base'}")


@db.command()
@pass_state
def current(state: CliState) -> None:
    """Show the database's revision and the newest one this version knows."""
    from service.storage import migrate

    revision = migrate.current_revision(state.engine()) or "base (empty)"
    click.echo(f"database: {revision}\nnewest:   {migrate.head_revision()}")


@db.command()
@pass_state
def reindex(state: CliState) -> None:
    """Rebuild the FHIR search index from the stored resources (after adding a parameter)."""
    import time

    from service.search.index import reindex_all
    from service.storage import migrate

    engine = state.engine()
    migrate.upgrade(engine)
    started = time.perf_counter()
    with engine.begin() as connection:
        indexed = reindex_all(connection)
    click.echo(f"indexed {indexed:,} resources in {time.perf_counter() - started:.1f} s")
