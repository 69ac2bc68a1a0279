"""`perinatal ingest`: load a source extract, with a progress bar and the ingest report."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from service.cli.state import CliState
from service.errors import InputError
from service.ingest.sources import NATIONAL_SOURCES, SOURCES

if TYPE_CHECKING:
    from collections.abc import Callable

    from fhir_mappings.mapping.model import Mapping
    from fhir_mappings.national.tables import FolderContents
    from service.ingest.run import IngestReport
    from service.projection.refresh import RefreshReport

pass_state = click.make_pass_decorator(CliState)


@click.command()
@click.argument("source", type=click.Choice([*SOURCES, *NATIONAL_SOURCES]))
@click.argument("file", type=click.Path(path_type=Path), required=False)
@click.option(
    "--mapping",
    "mapping_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="A mapping file for an extract in another layout [default: the reference format's].",
)
@click.option(
    "--no-projection",
    is_flag=True,
    help="Leave the analytic projection to a later `perinatal projection refresh` "
    "(quicker when loading several extracts in a row).",
)
@click.option(
    "--from-db",
    "database_url",
    default=None,
    help="National sources: read the tables from this database (a SQLAlchemy URL) "
    "instead of a folder.",
)
@click.option("--schema", default=None, help="With --from-db: the schema holding the tables.")
@pass_state
def ingest(
    state: CliState,
    source: str,
    file: Path | None,
    mapping_file: Path | None,
    no_projection: bool,
    database_url: str | None,
    schema: str | None,
) -> None:
    """Load a SOURCE extract FILE: valid rows become FHIR, the rest go to quarantine.

    For a national dataset (msds, csds, nnds) FILE is a folder of its tables, one file per
    table named by the table (MSD000Header.csv, CYP201CareContact.csv, NNUEpisodes.csv, …), or
    use --from-db."""
    project = not no_projection
    if source in NATIONAL_SOURCES:
        report = ingest_national(
            state, source, file, mapping_file, database_url, schema, project=project
        )
    else:
        if file is None or database_url:
            raise InputError(f"{source}: give the extract FILE (--from-db is for national sources)")
        if file.is_dir():
            raise InputError(f"{file} is a folder; {source} extracts are one file")
        report = ingest_extract(state, SOURCES[source], file, mapping_file, project=project)
    click.echo(describe(report))


def ingest_national(
    state: CliState,
    dataset: str,
    folder: Path | None,
    mapping_file: Path | None,
    database_url: str | None,
    schema: str | None,
    *,
    project: bool = True,
) -> IngestReport:
    from fhir_mappings.mapping.model import national_mapping
    from fhir_mappings.national.tables import read_folder
    from service.ingest.national_db import read_schema
    from service.ingest.run import ingest_tables

    mapping = _mapping(mapping_file, lambda: national_mapping(dataset))
    if mapping.national is None:
        raise InputError(f"mapping {mapping.name} declares no national tables (national:)")
    declared = list(mapping.national.tables)
    if database_url:
        if folder is not None:
            raise InputError("give a FOLDER or --from-db, not both")
        name = f"{dataset} tables in {schema or 'the default schema'}"

        def read() -> FolderContents:
            return read_schema(database_url, schema, declared)
    else:
        if folder is None or not folder.is_dir():
            raise InputError(f"{dataset}: give the FOLDER of its tables (or --from-db URL)")
        name = folder.name

        def read() -> FolderContents:
            return read_folder(folder, declared)

    return _with_progress(
        state,
        name,
        0,
        lambda sessions, **options: ingest_tables(sessions, name, read, mapping, **options),
        project=project,
    )


def ingest_extract(
    state: CliState,
    source_system: str,
    file: Path,
    mapping_file: Path | None,
    *,
    project: bool = True,
) -> IngestReport:
    from fhir_mappings.mapping.model import default_mapping
    from service.ingest.run import ingest_file

    mapping = _mapping(mapping_file, lambda: default_mapping(source_system))
    if mapping.national is not None:
        raise InputError(f"mapping {mapping.name} is for national tables: ingest a FOLDER")
    if mapping.source_system != source_system:
        raise InputError(
            f"mapping {mapping.name} is for {mapping.source_system}, not {source_system}"
        )
    return _with_progress(
        state,
        file.name,
        _data_lines(file),
        lambda sessions, **options: ingest_file(sessions, file, mapping, **options),
        project=project,
    )


def _with_progress(
    state: CliState, name: str, rows: int, load: Callable[..., IngestReport], *, project: bool
) -> IngestReport:
    """Migrate, then `load(sessions, clock=, on_rows=, precedence=, project=)` under a progress
    bar of `rows` rows."""
    from service.clock import utc_now
    from service.storage import migrate
    from service.storage.engine import make_session_factory

    engine = state.engine()
    migrate.upgrade(engine)
    with click.progressbar(length=rows, label=f"ingesting {name}", file=sys.stderr) as bar:
        return load(
            make_session_factory(engine),
            clock=utc_now,
            on_rows=bar.update,
            precedence=state.precedence(),
            project=project,
        )


def _mapping(mapping_file: Path | None, default: Callable[[], Mapping]) -> Mapping:
    from fhir_mappings.mapping.model import MappingError, load_mapping

    try:
        return load_mapping(mapping_file) if mapping_file else default()
    except MappingError as error:
        raise InputError(str(error)) from None


def describe(report: IngestReport) -> str:
    rows = report.rows
    lines = [
        f"{report.file_name} ({report.source_system}, mapping {report.mapping}): "
        f"{report.rows_read:,} rows read",
        f"  loaded {rows['loaded']:,}, updated {rows['updated']:,}, unchanged "
        f"{rows['unchanged']:,}, quarantined {rows['quarantined']:,}, duplicate "
        f"{rows['duplicate']:,}; {report.rows_warned:,} loaded with warnings",
        f"  resources: {report.resources.created:,} created, {report.resources.updated:,} "
        f"updated, {report.resources.unchanged:,} unchanged",
    ]
    if report.released_from_quarantine:
        lines.append(f"  released from quarantine: {report.released_from_quarantine:,}")
    for rule, severities in sorted(report.findings_by_rule.items()):
        counts = ", ".join(f"{n:,} {severity}" for severity, n in sorted(severities.items()))
        lines.append(f"  {rule}: {counts}")
    lines += [f"  note: {note}" for note in report.notes]
    if report.projection is not None:
        lines.append("  " + describe_projection(report.projection))
    if report.indicators is not None:
        from service.cli.indicators import describe_compute

        lines.append("  " + describe_compute(report.indicators))
    return "\n".join(lines)


def describe_projection(projection: RefreshReport) -> str:
    counts = projection.counts()
    return (
        f"analytic projection: {counts['families']:,} families refreshed "
        f"({counts['births']:,} births, {counts['contacts']:,} contacts, "
        f"{counts['referrals']:,} referrals"
        + (
            f", {counts['bookings_without_birth']:,} bookings without a birth"
            if counts["bookings_without_birth"]
            else ""
        )
        + f") in {projection.seconds:.1f} s"
    )


def _data_lines(file: Path) -> int:
    try:
        with file.open("rb") as handle:
            return max(sum(1 for _ in handle) - 1, 0)
    except OSError as error:
        raise InputError(f"cannot read {file}: {error.strerror}") from None
