"""NHS England counts every booking in the month, born or not: an MSDS pregnancy with no baby's
record yet is read as a booking of its own (a booking Encounter with what was recorded at it),
counts towards smoking at booking in its month, and gives way to its birth when the birth
arrives in a later month's submission."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, create_engine, select
from sqlalchemy.orm import Session, sessionmaker

from fhir_mappings.fhir.conformance import check_resource
from fhir_mappings.mapping.model import national_mapping
from fhir_mappings.national.tables import read_folder
from fhir_mappings.synthetic.national.msds import msds_tables, still_to_give_birth
from fhir_mappings.synthetic.national.writing import write_tables
from service.indicators.projection_frames import read_frames
from service.ingest.run import IngestReport, ingest_tables
from service.national.cqim import load_cqims, national_figures
from service.national.records import national_records
from service.projection.precedence import load_precedence
from service.projection.refresh import refresh
from service.storage import migrate
from service.storage.engine import make_session_factory
from service.storage.models import AnalyticBirth, AnalyticBookingWithoutBirth, FhirResource
from tests.fhir_mappings.national.msds_births import births

CLOCK_TIME = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
MSDS = national_mapping("msds")
SMOKING_AT_BOOKING = [m for m in load_cqims() if m.id == "CQIMSmokingBooking"]
MARCH = (date(2026, 3, 1), date(2026, 3, 31))
# Booked in March (a smoker), born in September.
PREGNANCY = {"booking_date": "2026-03-05", "birth_datetime": "2026-09-10 08:00",
             "smoking_at_booking": "current"}  # fmt: skip


def write(folder: Path, tables: dict[str, pd.DataFrame]) -> Path:
    write_tables(tables, folder)
    return folder


def march_folder(path: Path) -> Path:
    """March's submission: a birth of March, and the booking of a pregnancy due in September."""
    born_in_march = births({"booking_date": "2025-09-01", "birth_datetime": "2026-03-20 10:00"})
    due = births(PREGNANCY).assign(episode_id="E9", mother_local_id="M9", baby_local_id="B9")
    return write(path, msds_tables(born_in_march, pending=due, first_id=100_001))


def september_folder(path: Path) -> Path:
    """September's submission: the same pregnancy's booking again, with its birth."""
    born = births(PREGNANCY).assign(episode_id="E9", mother_local_id="M9", baby_local_id="B9")
    return write(path, msds_tables(born, first_id=200_001))


def load(sessions: sessionmaker[Session], folder: Path) -> IngestReport:
    contents = read_folder(folder, list(MSDS.national.tables))  # type: ignore[union-attr]
    report = ingest_tables(
        sessions, folder.name, lambda: contents, MSDS, clock=lambda: CLOCK_TIME, project=False
    )
    refresh(sessions, precedence=load_precedence())
    return report


def smoking_at_booking_in_march(sessions: sessionmaker[Session]) -> tuple[int, int]:
    with sessions() as session:
        frames = read_frames(session)
    records = national_records(frames["births"], frames["bookings_without_birth"])
    (figure,) = national_figures(records, SMOKING_AT_BOOKING, *MARCH)
    return int(figure.numerator or 0), int(figure.denominator or 0)


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{tmp_path / 'product.db'}")
    migrate.upgrade(engine)
    return engine


def test_a_booking_counts_in_its_month_before_and_after_its_birth_arrives(
    engine: Engine, tmp_path: Path
) -> None:
    sessions = make_session_factory(engine)
    report = load(sessions, march_folder(tmp_path / "march"))
    assert report.rows["loaded"] == 2  # the birth and the booking
    assert report.rows["quarantined"] == 0
    assert "1 MSD101PregnancyBooking row is part of no MSD401BabyDemographics record" in (
        " ".join(report.notes)
    )
    with sessions() as session:
        waiting = session.scalars(select(AnalyticBookingWithoutBirth)).one()
        assert session.scalars(select(AnalyticBirth.baby_id)).all() != []
    assert (waiting.booking_date, waiting.site_code) == (date(2026, 3, 5), "ZZ1")
    assert waiting.smoking_at_booking_derived == "smoker"
    # The March birth was booked in September 2025: March's bookings are the one still due.
    assert smoking_at_booking_in_march(sessions) == (1, 1)

    load(sessions, september_folder(tmp_path / "september"))
    with sessions() as session:
        assert session.scalars(select(AnalyticBookingWithoutBirth)).all() == []
        born = session.scalars(
            select(AnalyticBirth).where(AnalyticBirth.booking_date == date(2026, 3, 5))
        ).one()
    assert born.smoking_at_booking_derived == "smoker"
    assert smoking_at_booking_in_march(sessions) == (1, 1)  # the same woman, counted once


def test_a_booking_is_a_valid_r4_encounter_with_its_observations(
    engine: Engine, tmp_path: Path
) -> None:
    sessions = make_session_factory(engine)
    load(sessions, march_folder(tmp_path / "march"))
    with sessions() as session:
        resources = session.scalars(select(FhirResource.resource)).all()
    bookings = [
        r
        for r in resources
        if r["resourceType"] == "Encounter"
        and any(c["code"] == "antenatal-booking" for t in r["type"] for c in t["coding"])
    ]
    (booking,) = bookings
    assert booking["period"]["start"] == "2026-03-05"
    at_booking = [
        r
        for r in resources
        if (r.get("encounter") or {}).get("reference") == f"Encounter/{booking['id']}"
    ]
    codes = {c["code"] for r in at_booking for c in r["code"]["coding"]}
    assert {"smoking-at-booking-derived", "booking-gestation", "booking-date"} <= codes
    assert [(r["resourceType"], i) for r in resources for i in check_resource(r)] == []


def test_the_synthetic_region_books_pregnancies_due_after_its_last_month() -> None:
    region = births(
        {"booking_date": "2025-06-01", "birth_datetime": "2026-01-15 09:00"},
        {"booking_date": "2025-10-01", "birth_datetime": "2026-04-20 09:00"},
        {"booking_date": "2025-12-01", "birth_datetime": "2026-06-20 09:00"},
        {"booking_date": "2025-11-01", "birth_datetime": "2064-05-20 09:00"},  # a garbled date
        *({"booking_date": "2025-11-01", "birth_datetime": "2026-05-20 09:00"},) * 2,
    )
    pending, _ = still_to_give_birth(region, ("2026-01", "2026-06"))
    # Each pregnancy again the region's six months later (not the 2064 birth's decades), where
    # it is booked inside them: not the first, which would be booked in December 2025.
    assert pending["booking_date"].tolist() == ["2026-04-01", "2026-06-01", *["2026-05-01"] * 3]
    assert pending["mother_nhs_number"].eq("").all()
    assert pending["smoking_at_delivery"].eq("").all()
    assert not set(pending["episode_id"]) & set(region["episode_id"])
    assert not set(pending["mother_local_id"]) & set(region["mother_local_id"])
