"""Alembic environment: migrates the engine handed over in `config.attributes`."""

from alembic import context

from service.storage.models import Base

engine = context.config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table there and is a
        # no-op wrapper on PostgreSQL, so one migration script serves both.
        render_as_batch=True,
        compare_type=True,
    )
    context.run_migrations()
