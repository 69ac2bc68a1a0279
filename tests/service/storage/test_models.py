"""The tables store what later issues rely on, identically on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.storage.models import (
    AnalyticBirth,
    FhirResource,
    FhirResourceVersion,
    IngestRun,
    QuarantinedRow,
    QuarantineReason,
)

WHEN = datetime(2025, 3, 30, 1, 30, tzinfo=UTC)


def test_a_resource_round_trips_its_json_and_an_aware_timestamp(session: Session) -> None:
    body = {
        "resourceType": "Patient",
        "id": "p1",
        "birthDate": "2024-01-02",
        "name": [{"family": "Ünal", "given": ["Zoë"]}],
        "active": True,
    }
    session.add(
        FhirResource(
            resource_type="Patient",
            id="p1",
            version_id=1,
            last_updated=WHEN.astimezone(timezone(timedelta(hours=1))),
            deleted=False,
            resource=body,
        )
    )
    session.flush()
    session.expire_all()

    stored = session.get_one(FhirResource, ("Patient", "p1"))

    assert stored.resource == body
    assert stored.last_updated == WHEN
    assert stored.last_updated.tzinfo is not None


def test_every_version_is_kept_and_a_version_cannot_be_written_twice(session: Session) -> None:
    for version in (1, 2):
        session.add(
            FhirResourceVersion(
                resource_type="Observation",
                id="o1",
                version_id=version,
                last_updated=WHEN,
                deleted=False,
                method="create" if version == 1 else "update",
                resource={"resourceType": "Observation"},
            )
        )
    session.add(
        FhirResourceVersion(
            resource_type="Observation",
            id="o1",
            version_id=3,
            last_updated=WHEN,
            deleted=True,
            method="delete",
            resource=None,
        )
    )
    session.flush()
    history = session.scalars(
        select(FhirResourceVersion.version_id)
        .where(FhirResourceVersion.id == "o1")
        .order_by(FhirResourceVersion.version_id)
    ).all()
    assert history == [1, 2, 3]

    session.add(
        FhirResourceVersion(
            resource_type="Observation",
            id="o1",
            version_id=2,
            last_updated=WHEN,
            deleted=False,
            method="update",
            resource={},
        )
    )
    with pytest.raises(IntegrityError):
        session.flush()


def test_a_quarantined_row_keeps_the_raw_row_and_each_reason(session: Session) -> None:
    run = IngestRun(
        source_system="maternity",
        file_name="maternity_births_v1.csv",
        file_sha256="a" * 64,
        mapping_name="maternity_v1",
        mapping_sha256="b" * 64,
        started_at=WHEN,
        status="succeeded",
        rows_read=2,
        rows_quarantined=1,
    )
    raw = {"birth_weight_g": "3.42", "gestation_at_birth_days": "39", "notes": "naïve, “quoted”"}
    row = QuarantinedRow(
        row_number=17,
        source_key="RB0000001",
        source_system="maternity",
        row_sha256="e" * 64,
        raw_row=raw,
        reasons=[
            QuarantineReason(field="birth_weight_g", rule="unit", message="looks like kilograms"),
            QuarantineReason(field="gestation_at_birth_days", rule="range", message="weeks?"),
        ],
    )
    run.quarantined_rows.append(row)
    session.add(run)
    session.flush()
    session.expire_all()

    stored = session.scalars(select(QuarantinedRow)).one()
    assert stored.raw_row == raw
    assert stored.ingest_run.source_system == "maternity"
    assert sorted(r.rule for r in stored.reasons) == ["range", "unit"]


def test_deleting_an_ingest_run_removes_its_quarantine(session: Session) -> None:
    run = IngestRun(
        source_system="neonatal",
        file_name="n.csv",
        file_sha256="c" * 64,
        mapping_name="neonatal_v1",
        mapping_sha256="d" * 64,
        started_at=WHEN,
        status="failed",
    )
    run.quarantined_rows.append(
        QuarantinedRow(
            row_number=1,
            source_system="neonatal",
            row_sha256="f" * 64,
            raw_row={},
            reasons=[QuarantineReason(field="x", rule="required", message="blank")],
        )
    )
    session.add(run)
    session.flush()

    session.delete(run)
    session.flush()

    assert session.scalars(select(QuarantineReason)).all() == []


def test_the_analytic_projection_stores_typed_values(session: Session) -> None:
    session.add(
        AnalyticBirth(
            baby_id="b1",
            mother_id="m1",
            delivery_id="d1",
            birth_date=date(2024, 2, 29),
            birth_month=date(2024, 2, 1),
            gestation_days=258,
            birth_weight_g=2490,
            bmi_at_booking=31.4,
            ethnic_category="N",
            ethnic_group="Black",
            imd_decile=1,
            imd_quintile=1,
            nnu_admitted=True,
            neonatal_death=False,
            family_key="nhs:1",
            sources="maternity,neonatal",
            deprivation_status="matched",
            field_sources={"birth_weight_g": "neonatal"},
        )
    )
    session.flush()
    session.expire_all()

    stored = session.get_one(AnalyticBirth, "b1")
    assert stored.birth_date == date(2024, 2, 29)
    assert stored.bmi_at_booking == pytest.approx(31.4)
    assert stored.nnu_admitted is True
    assert stored.field_sources == {"birth_weight_g": "neonatal"}
