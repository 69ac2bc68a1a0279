"""Run the Alembic migrations programmatically: no alembic.ini, the engine is passed in."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError

from service.errors import StorageError

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    _run(command.upgrade, engine, revision)


def downgrade(engine: Engine, revision: str) -> None:
    _run(command.downgrade, engine, revision)


def current_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as connection:
            return revision_of(connection)
    except OperationalError as error:
        raise StorageError(_unreachable(engine, error)) from None


def revision_of(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


@cache  # the migration scripts do not change while the process runs
def head_revision() -> str:
    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    assert head is not None, "the migrations folder has no revisions"
    return head


def _run(step: object, engine: Engine, revision: str) -> None:
    try:
        step(alembic_config(engine), revision)  # type: ignore[operator]
    except OperationalError as error:
        raise StorageError(_unreachable(engine, error)) from None


def _unreachable(engine: Engine, error: OperationalError) -> str:
    reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
    return f"cannot use the database {engine.url.render_as_string(hide_password=True)}: {reason}"
