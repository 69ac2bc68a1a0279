"""`perinatal ingest msds`: a synthetic region's MSDS v2 tables load on SQLite and PostgreSQL
into the same analytic births as its reference extract, with Provenance naming every table row
behind a resource; a re-load changes nothing; the same tables read from a warehouse database
load the same; a folder missing a required table loads nothing and says which."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from fhir_mappings.fhir.conformance import check_resource
from fhir_mappings.mapping.model import default_mapping, national_mapping
from fhir_mappings.national.tables import read_folder
from fhir_mappings.synthetic.files import write_extracts
from fhir_mappings.synthetic.generator import generate
from fhir_mappings.synthetic.national.msds import first_months, msds_tables, still_to_give_birth
from fhir_mappings.synthetic.national.writing import write_tables
from fhir_mappings.synthetic.spec import SynthesisSpec
from service.errors import InputError
from service.ingest.national_db import read_schema
from service.ingest.run import IngestReport, ingest_file, ingest_tables
from service.projection.precedence import load_precedence
from service.projection.refresh import refresh
from service.storage import migrate
from service.storage.engine import make_session_factory
from service.storage.models import AnalyticBirth, FhirResource, QuarantinedRow
from tests.conftest import BACKENDS, new_migrated_engine

CLOCK_TIME = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
MSDS = national_mapping("msds")
DECLARED = list(MSDS.national.tables)  # type: ignore[union-attr]
# The births' fields both formats carry, compared between the two loads.
COMPARED = [
    "birth_date", "site_code", "plurality", "birth_order", "birth_outcome", "gestation_days",
    "birth_weight_g", "baby_sex", "onset_of_labour", "mode_of_birth", "presentation",
    "blood_loss_ml", "apgar_5min", "first_feed", "skin_to_skin_1h", "parity", "ethnic_category",
    "booking_gestation_days", "bmi_at_booking", "smoking_at_booking", "smoking_at_delivery",
    "perineal_trauma",
]  # fmt: skip


@dataclass
class Region:
    folder: Path
    births: pd.DataFrame
    pending: pd.DataFrame  # pregnancies booked, not yet delivered

    @property
    def records(self) -> int:
        return len(self.births) + len(self.pending)


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Region:
    folder = tmp_path_factory.mktemp("region")
    result = generate(SynthesisSpec(births_per_year=600, years=1, defect_rate=0.0, seed=11))
    write_extracts(result, folder)
    births = result.extracts["maternity"].frame
    pending, history = still_to_give_birth(
        births, (result.spec.start, result.spec.last_month), result.obstetric_history
    )
    tables = msds_tables(births, resubmitted=first_months(births), history=history, pending=pending)
    write_tables(tables, folder / "msds")
    return Region(folder, births, pending)


def load_msds(sessions: sessionmaker[Session], folder: Path) -> IngestReport:
    return ingest_tables(
        sessions,
        folder.name,
        lambda: read_folder(folder, DECLARED),
        MSDS,
        clock=lambda: CLOCK_TIME,
        project=False,
    )


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(
    request: pytest.FixtureRequest, region: Region, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[sessionmaker[Session], IngestReport]]:
    engine = new_migrated_engine(request, tmp_path_factory.mktemp("msds"))
    sessions = make_session_factory(engine)
    yield sessions, load_msds(sessions, region.folder / "msds")
    engine.dispose()


def sqlite_sessions(path: Path) -> sessionmaker[Session]:
    engine = create_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    return make_session_factory(engine)


def test_every_baby_loads_and_the_superseded_submissions_are_not_read(
    loaded: tuple[sessionmaker[Session], IngestReport], region: Region
) -> None:
    _, report = loaded
    assert report.rows["loaded"] == region.records
    assert len(region.pending) > 100
    assert report.rows["quarantined"] == 0
    assert any("is superseded by a later one" in note for note in report.notes)


def test_provenance_names_every_table_row_behind_a_record(
    loaded: tuple[sessionmaker[Session], IngestReport],
) -> None:
    sessions, _ = loaded
    with sessions() as session:
        provenance = session.scalars(
            select(FhirResource.resource).where(FhirResource.resource_type == "Provenance")
        ).first()
    assert provenance is not None
    shown = [entity["what"]["display"] for entity in provenance["entity"]]
    assert any(s.startswith("MSD401BabyDemographics.csv row ") for s in shown)
    assert any(s.startswith("MSD101PregnancyBooking.csv row ") for s in shown)
    assert all(
        e["what"]["identifier"]["value"].startswith("sha-256;") for e in provenance["entity"]
    )


def test_every_stored_resource_is_valid_r4(
    loaded: tuple[sessionmaker[Session], IngestReport],
) -> None:
    sessions, _ = loaded
    with sessions() as session:
        resources = session.scalars(select(FhirResource.resource)).all()
    problems = [(r["resourceType"], i) for r in resources for i in check_resource(r)]
    assert len(resources) > 1000
    assert problems == []


def test_a_reload_of_the_same_tables_changes_nothing(
    loaded: tuple[sessionmaker[Session], IngestReport], region: Region
) -> None:
    sessions, _ = loaded
    again = load_msds(sessions, region.folder / "msds")
    assert again.rows["unchanged"] == region.records
    assert again.resources.created == again.resources.updated == 0


def test_the_msds_tables_project_to_the_same_births_as_the_reference_extract(
    region: Region, tmp_path: Path
) -> None:
    projected = {}
    for form in ("reference", "msds"):
        sessions = sqlite_sessions(tmp_path / f"{form}.db")
        if form == "msds":
            load_msds(sessions, region.folder / "msds")
        else:
            mapping = default_mapping("maternity")
            path = region.folder / "maternity_births_v1.csv"
            ingest_file(sessions, path, mapping, clock=lambda: CLOCK_TIME, project=False)
        refresh(sessions, precedence=load_precedence())
        with sessions() as session:
            rows = session.execute(select(*(getattr(AnalyticBirth, c) for c in COMPARED))).all()
        projected[form] = sorted(map(_as_msds_records_it, rows), key=repr)
    assert len(projected["msds"]) == len(region.births)
    assert projected["msds"] == projected["reference"]


def test_the_same_tables_read_from_a_warehouse_database_load_the_same(
    region: Region, tmp_path: Path
) -> None:
    warehouse = create_engine(f"sqlite:///{tmp_path / 'warehouse.db'}")
    for table in read_folder(region.folder / "msds", DECLARED).tables.values():
        frame = pd.DataFrame(table.rows, columns=list(table.header))
        frame.to_sql(table.name.lower(), warehouse, index=False)  # a warehouse's own casing
    warehouse.dispose()
    contents = read_schema(f"sqlite:///{tmp_path / 'warehouse.db'}", None, DECLARED)
    assert sorted(contents.tables) == sorted(DECLARED)
    sessions = sqlite_sessions(tmp_path / "product.db")
    report = ingest_tables(
        sessions, "warehouse", lambda: contents, MSDS, clock=lambda: CLOCK_TIME, project=False
    )
    assert report.rows["loaded"] == region.records


def test_a_folder_missing_a_required_table_loads_nothing(region: Region, tmp_path: Path) -> None:
    folder = tmp_path / "incomplete"
    folder.mkdir()
    for path in (region.folder / "msds").iterdir():
        if path.stem != "MSD101PregnancyBooking":
            (folder / path.name).write_bytes(path.read_bytes())
    sessions = sqlite_sessions(tmp_path / "product.db")
    with pytest.raises(InputError, match="lacks the required table MSD101PregnancyBooking"):
        load_msds(sessions, folder)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(FhirResource)) == 0
        assert session.scalar(select(func.count()).select_from(QuarantinedRow)) == 0


def _as_msds_records_it(row: object) -> tuple[object, ...]:
    """The reference row as MSDS can say it; nothing else differs. BabyFirstFeedIndCode has no
    code for "no feed given"; GenitalTractTraumaticLesion no third-degree subgrade, and a birth
    with no lesion recorded (a caesarean, an episiotomy alone) reads as an intact perineum."""
    values = dict(zip(COMPARED, tuple(row), strict=True))  # type: ignore[call-overload]
    if values["first_feed"] == "none":
        values["first_feed"] = None
    trauma = values["perineal_trauma"]
    if trauma is None or trauma == "episiotomy_only":
        values["perineal_trauma"] = "intact"
    elif trauma.startswith("third_degree"):
        values["perineal_trauma"] = "third_degree"
    return tuple(values.values())


def test_maternal_critical_incidents_are_read_from_msd302_procedures_and_findings(
    region: Region, tmp_path: Path
) -> None:
    # The synthetic region takes a haemorrhage of 2,500 ml or more to intensive care (MSD302
    # MasterSnomedCTProcedureCode 305351004); NHS England's CQIMDQ11 and 12 count it.
    sessions = sqlite_sessions(tmp_path / "msds.db")
    load_msds(sessions, region.folder / "msds")
    refresh(sessions, precedence=load_precedence())
    with sessions() as session:
        rows = session.execute(
            select(AnalyticBirth.blood_loss_ml, AnalyticBirth.maternal_critical_incidents)
        ).all()
    with_incident = [loss for loss, incidents in rows if incidents]
    assert with_incident
    assert all(loss >= 2500 for loss in with_incident)
    # A delivery with care activities but no incident among them has none (not unknown).
    assert {incidents for loss, incidents in rows if loss is not None and loss < 2500} == {0}
