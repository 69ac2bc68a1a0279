"""The migrations build exactly the models' schema, and go down and up again, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from service.storage import migrate
from service.storage.engine import make_engine
from service.storage.models import Base

TABLES = {
    "fhir_resource",
    "fhir_resource_version",
    "ingest_run",
    "quarantined_row",
    "quarantine_reason",
    "analytic_birth",
    "analytic_contact",
    "alert",
    "outbox_notification",
    "apscheduler_jobs",
}


def test_upgrade_creates_every_table_and_records_the_head(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    assert migrate.current_revision(engine) is None

    migrate.upgrade(engine)

    assert set(inspect(engine).get_table_names()) >= TABLES
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_migrated_schema_matches_the_models(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    migrate.upgrade(engine)

    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)

    assert differences == []


def test_downgrade_to_base_removes_everything_and_upgrade_restores_it(
    empty_database_url: str,
) -> None:
    engine = make_engine(empty_database_url)
    migrate.upgrade(engine)

    migrate.downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    assert migrate.current_revision(engine) is None

    migrate.upgrade(engine)
    assert set(inspect(engine).get_table_names()) >= TABLES


def test_upgrade_twice_is_harmless(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    migrate.upgrade(engine)
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
