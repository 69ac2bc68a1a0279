"""Load one extract file: stream its rows through the mapping, write accepted rows' resources as
versions, keep refused rows in quarantine, and record the run with its report.

Rows are processed in batches, each committed on its own, so memory stays flat however long the
file. A file unusable as a whole (encoding, header, a required column) loads nothing.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from fhir_mappings.extract_file import ExtractFileError, file_sha256
from fhir_mappings.fhir.naming import Naming
from fhir_mappings.fhir.shapes import Resource
from fhir_mappings.mapping.engine import HeaderMismatchError
from fhir_mappings.mapping.model import Mapping
from fhir_mappings.national.tables import FolderContents
from fhir_mappings.row_pipeline import (
    ExtractPlan,
    RowOutcome,
    build_resources,
    plan_extract,
    plan_national,
    row_outcomes,
)
from service.clock import Clock
from service.errors import InputError
from service.indicators.run import ComputeReport, compute_when_free
from service.ingest import fingerprints, quarantine
from service.projection.precedence import Precedence, load_precedence
from service.projection.refresh import RefreshReport, refresh
from service.storage.bulk import prefer_index_lookups, refresh_statistics
from service.storage.models import IngestRun
from service.storage.resource_writes import WriteCounts, WriteStatus, count, write_resources

log = logging.getLogger(__name__)
BATCH_ROWS = 2_000
# A load that wrote this many resources refreshes the planner statistics (PostgreSQL).
STATISTICS_AFTER = 10_000
LONDON = ZoneInfo("Europe/London")


@dataclass
class IngestReport:
    source_system: str
    file_name: str
    file_sha256: str
    mapping: str
    rows_read: int = 0
    rows: Counter[str] = field(default_factory=Counter)  # loaded updated unchanged quarantined…
    rows_warned: int = 0
    resources: WriteCounts = field(default_factory=WriteCounts)
    findings_by_rule: dict[str, Counter[str]] = field(default_factory=dict)
    released_from_quarantine: int = 0
    notes: list[str] = field(default_factory=list)
    projection: RefreshReport | None = None
    indicators: ComputeReport | None = None

    def add_findings(self, outcome: RowOutcome) -> None:
        for finding in outcome.findings:
            self.findings_by_rule.setdefault(finding.rule, Counter())[finding.severity] += 1

    def as_dict(self) -> dict[str, Any]:
        projection, self.projection = self.projection, None
        result = asdict(self)
        self.projection = projection
        if projection is not None:
            result["projection"] = {**projection.counts(), "seconds": round(projection.seconds, 2)}
        if self.indicators is not None:
            result["indicators"] = {
                "run": self.indicators.run_id,
                "months_counted": self.indicators.months_counted,
                "seconds": round(self.indicators.seconds, 2),
            }
        result["rows"] = dict(self.rows)
        result["findings_by_rule"] = {
            rule: dict(c) for rule, c in sorted(self.findings_by_rule.items())
        }
        return result


def ingest_file(
    sessions: sessionmaker[Session],
    path: Path,
    mapping: Mapping,
    *,
    clock: Clock,
    naming: Naming | None = None,
    on_rows: Callable[[int], None] = lambda rows: None,
    precedence: Precedence | None = None,
    project: bool = True,
) -> IngestReport:
    """Load the file, then bring the analytic projection up to date with what it changed.

    With `project=False` the changed patients stay queued for a later `refresh`: loading several
    extracts in a row then projects each family once instead of once per extract."""
    started = clock()
    try:
        digest = file_sha256(path)
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror}") from None
    report = IngestReport(mapping.source_system, path.name, digest, mapping.name)
    run_id = _start_run(sessions, report, mapping, started)
    try:
        plan = plan_extract(
            path, mapping, file_sha256=digest, today=started.astimezone(LONDON).date()
        )
    except (ExtractFileError, HeaderMismatchError) as error:
        message = str(error) if str(error).startswith(path.name) else f"{path.name}: {error}"
        raise _failed(sessions, run_id, report, clock, message) from None
    return _load(sessions, run_id, plan, report, clock, naming, on_rows, precedence, project)


def ingest_tables(
    sessions: sessionmaker[Session],
    name: str,
    read_tables: Callable[[], FolderContents],
    mapping: Mapping,
    *,
    clock: Clock,
    naming: Naming | None = None,
    on_rows: Callable[[int], None] = lambda rows: None,
    precedence: Precedence | None = None,
    project: bool = True,
) -> IngestReport:
    """Load a national source's tables (a folder, or a warehouse schema) as `ingest_file` loads
    a file: `name` is what the run report calls the source. Tables unusable as a whole (a
    required table or column missing, no key to join on) load nothing."""
    started = clock()
    report = IngestReport(mapping.source_system, name, "", mapping.name)
    run_id = _start_run(sessions, report, mapping, started)
    try:
        contents = read_tables()
        plan = plan_national(
            Path(name), mapping, contents.tables, today=started.astimezone(LONDON).date()
        )
    except (ExtractFileError, HeaderMismatchError) as error:
        raise _failed(sessions, run_id, report, clock, f"{name}: {error}") from None
    report.file_sha256 = plan.file_sha256
    report.notes += [
        f"{other} is not a table {mapping.name} reads: ignored" for other in contents.ignored
    ]
    report.notes += plan.notes
    return _load(sessions, run_id, plan, report, clock, naming, on_rows, precedence, project)


def _load(
    sessions: sessionmaker[Session],
    run_id: int,
    plan: ExtractPlan,
    report: IngestReport,
    clock: Clock,
    naming: Naming | None,
    on_rows: Callable[[int], None],
    precedence: Precedence | None,
    project: bool,
) -> IngestReport:
    naming = naming or Naming()
    try:
        for part in plan.parts:
            report.notes += part.mapper.notes
            for batch in _batches(row_outcomes(part), BATCH_ROWS):
                _load_batch(sessions, run_id, part, batch, report, naming, clock())
                on_rows(len(batch))
    except ExtractFileError as error:
        raise _failed(sessions, run_id, report, clock, str(error)) from None
    if report.resources.created + report.resources.updated >= STATISTICS_AFTER:
        with sessions.begin() as session:
            refresh_statistics(session)
    if project:
        report.projection = refresh(sessions, precedence=precedence or load_precedence())
        # Only the months this load changed are recounted (the projection queued them).
        report.indicators = compute_when_free(sessions, now=clock, full=False)
    _finish_run(sessions, run_id, report, clock(), status="succeeded", error=None)
    log.info("ingested %s: %s", report.file_name, dict(report.rows))
    return report


def _failed(
    sessions: sessionmaker[Session], run_id: int, report: IngestReport, clock: Clock, message: str
) -> InputError:
    """Record the run as failed with the message, and the error to raise for it."""
    _finish_run(sessions, run_id, report, clock(), status="failed", error=message)
    return InputError(message)


def _load_batch(
    sessions: sessionmaker[Session],
    run_id: int,
    plan: ExtractPlan,
    batch: Sequence[RowOutcome],
    report: IngestReport,
    naming: Naming,
    now: datetime,
) -> None:
    source = plan.mapping.source_system
    accepted = [o for o in batch if o.status == "accepted" and o.key]
    with sessions.begin() as session:
        prefer_index_lookups(session)
        previous = fingerprints.loaded(session, source, [o.key for o in accepted if o.key])
        changed = [o for o in accepted if previous.get(o.key or "") != o.row_sha256]
        built = {o.row: build_resources(plan, o, naming=naming, recorded=now) for o in changed}
        statuses = write_resources(session, (r for rs in built.values() for r in rs), now=now)
        fingerprints.remember(
            session, source, [(o.key or "", o.row_sha256) for o in changed], run_id, now
        )
        quarantine.keep(session, run_id, source, [o for o in batch if o.status == "quarantined"])
        report.released_from_quarantine += quarantine.release(
            session, source, [o.key for o in accepted if o.key], now
        )
    report.resources.add(count(statuses))
    for outcome in batch:
        report.rows_read += 1
        report.add_findings(outcome)
        if outcome.status != "accepted":
            report.rows[outcome.status] += 1
            continue
        report.rows_warned += bool(outcome.findings)
        resources = built.get(outcome.row)
        report.rows["unchanged" if resources is None else _row_status(resources, statuses)] += 1


def _row_status(resources: list[Resource], statuses: dict[tuple[str, str], WriteStatus]) -> str:
    # The Provenance changes with every new file, so it does not decide whether data changed.
    seen = {
        statuses[(r["resourceType"], r["id"])]
        for r in resources
        if r["resourceType"] != "Provenance"
    }
    if "updated" in seen:
        return "updated"
    if not seen:  # nothing to record (an unlinkable contact): the row is loaded, with no resources
        return "loaded"
    return "loaded" if "created" in seen else "unchanged"


def _start_run(
    sessions: sessionmaker[Session], report: IngestReport, mapping: Mapping, started: datetime
) -> int:
    with sessions.begin() as session:
        run = IngestRun(
            source_system=report.source_system,
            file_name=report.file_name,
            file_sha256=report.file_sha256,
            mapping_name=mapping.name,
            mapping_sha256=mapping.sha256,
            started_at=started,
            status="running",
        )
        session.add(run)
        session.flush()
        return run.id


def _finish_run(
    sessions: sessionmaker[Session],
    run_id: int,
    report: IngestReport,
    finished: datetime,
    *,
    status: str,
    error: str | None,
) -> None:
    with sessions.begin() as session:
        run = session.get_one(IngestRun, run_id)
        run.status, run.error, run.finished_at = status, error, finished
        run.file_sha256 = report.file_sha256
        run.rows_read = report.rows_read
        run.rows_loaded = report.rows["loaded"] + report.rows["updated"]
        run.rows_unchanged = report.rows["unchanged"]
        run.rows_quarantined = report.rows["quarantined"]
        run.report = report.as_dict()


def _batches(outcomes: Any, size: int) -> Any:
    iterator = iter(outcomes)
    while batch := list(islice(iterator, size)):
        yield batch
