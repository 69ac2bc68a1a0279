"""Loading the synthetic extracts on SQLite and PostgreSQL: every planted defect is quarantined or
warned with the right rule, the report's counts match the defect manifest, a re-load changes
nothing, a corrected row is released from quarantine, and no NHS number reaches a log line or a
finding message."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from fhir_mappings.mapping.model import default_mapping
from fhir_mappings.synthetic.files import write_extracts
from fhir_mappings.synthetic.generator import generate
from fhir_mappings.synthetic.spec import SynthesisSpec
from service.ingest.run import IngestReport, ingest_file
from service.storage.engine import make_session_factory
from service.storage.models import (
    FhirResource,
    FhirResourceVersion,
    QuarantinedRow,
    QuarantineReason,
)
from tests.conftest import BACKENDS, SOURCE_EXTRACTS, ingest_extracts, new_migrated_engine

FILES = SOURCE_EXTRACTS
# What each planted defect must be caught as. Cross-source disagreements are not row errors:
# reconciliation finds them between systems.
EXPECTED_RULE = {
    "blank_mandatory_field": "required",
    "nhs_number_check_digit": "nhs_number_check_digit",
    "date_other_format": "date_format",
    "date_in_future": "future_date",
    "weight_in_kilograms": "unit_suspect",
    "weight_in_pounds": "unit_suspect",
    "gestation_weeks_in_days_field": "unit_suspect",
    "stillbirth_with_apgar": "stillbirth_with_apgar",
    "implausible_weight_for_gestation": "weight_for_gestation",
}
CLOCK_TIME = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@dataclass
class Loaded:
    folder: Path
    sessions: sessionmaker[Session]
    reports: dict[str, IngestReport]
    manifest: pd.DataFrame
    log_text: str


@pytest.fixture(scope="module")
def data_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("extracts")
    write_extracts(
        generate(SynthesisSpec(births_per_year=1500, years=1, defect_rate=0.05, seed=5)), folder
    )
    return folder


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(
    request: pytest.FixtureRequest, data_folder: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Loaded]:
    engine = new_migrated_engine(request, tmp_path_factory.mktemp("ingest"))
    sessions = make_session_factory(engine)
    records: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: records.append(record.getMessage())  # type: ignore[method-assign]
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.DEBUG)
    try:
        reports = ingest_extracts(sessions, data_folder, lambda: CLOCK_TIME)
    finally:
        logging.getLogger().removeHandler(handler)
    manifest = pd.read_csv(data_folder / "defects.csv", dtype=str, keep_default_na=False)
    yield Loaded(data_folder, sessions, reports, manifest, "\n".join(records))
    engine.dispose()


@pytest.mark.parametrize("source", list(FILES))
def test_every_planted_defect_is_caught_with_its_rule(loaded: Loaded, source: str) -> None:
    planted = loaded.manifest[loaded.manifest["extract"] == source]
    with loaded.sessions() as session:
        quarantined = session.execute(
            select(QuarantinedRow.row_number, QuarantineReason.rule)
            .join(QuarantineReason)
            .where(QuarantinedRow.source_system == source)
        ).all()
    rules_by_row: dict[int, set[str]] = {}
    for row, rule in quarantined:
        rules_by_row.setdefault(row, set()).add(rule)
    for _, defect in planted.iterrows():
        if defect["kind"] in EXPECTED_RULE:
            assert EXPECTED_RULE[defect["kind"]] in rules_by_row.get(
                int(defect["row_number"]), set()
            ), defect.to_dict()
    error_rows = planted[planted["kind"].isin(EXPECTED_RULE)]
    assert set(rules_by_row) == set(error_rows["row_number"].astype(int))


@pytest.mark.parametrize("source", list(FILES))
def test_the_report_counts_match_the_manifest(loaded: Loaded, source: str) -> None:
    report = loaded.reports[source]
    planted = loaded.manifest[loaded.manifest["extract"] == source]
    kinds = planted["kind"].value_counts()
    rows = len(pd.read_csv(loaded.folder / FILES[source], dtype=str))
    assert report.rows_read == rows
    assert report.rows["quarantined"] == planted["kind"].isin(EXPECTED_RULE).sum()
    assert report.rows["duplicate"] == kinds["duplicate_row"]
    assert report.findings_by_rule["duplicate_row"]["warning"] == kinds["duplicate_row"]
    accepted = rows - report.rows["quarantined"] - report.rows["duplicate"]
    assert report.rows["loaded"] + report.rows["updated"] + report.rows["unchanged"] == accepted


def test_reloading_the_same_files_changes_nothing(loaded: Loaded) -> None:
    def totals() -> tuple[int, int, int]:
        with loaded.sessions() as session:
            return (
                session.scalar(select(func.count()).select_from(FhirResource)) or 0,
                session.scalar(select(func.count()).select_from(FhirResourceVersion)) or 0,
                session.scalar(select(func.count()).select_from(QuarantinedRow)) or 0,
            )

    before = totals()
    for source, name in FILES.items():
        again = ingest_file(
            loaded.sessions, loaded.folder / name, default_mapping(source), clock=lambda: CLOCK_TIME
        )
        first = loaded.reports[source]
        assert again.rows["quarantined"] == first.rows["quarantined"]
        assert again.rows["loaded"] == again.rows["updated"] == 0
        assert again.resources.created == again.resources.updated == 0
    assert totals() == before


def test_a_corrected_row_is_released_from_quarantine_and_loaded(
    loaded: Loaded, tmp_path: Path
) -> None:
    planted = loaded.manifest[
        (loaded.manifest["extract"] == "maternity")
        & (loaded.manifest["kind"] == "weight_in_kilograms")
    ].iloc[0]
    extract = pd.read_csv(
        loaded.folder / FILES["maternity"], dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )
    corrected = extract.iloc[[int(planted["row_number"]) - 1]].copy()
    corrected["birth_weight_g"] = planted["clean_value"]
    path = tmp_path / "maternity_corrections.csv"
    corrected.to_csv(path, index=False)

    report = ingest_file(
        loaded.sessions, path, default_mapping("maternity"), clock=lambda: CLOCK_TIME
    )

    assert report.rows["loaded"] == 1
    assert report.released_from_quarantine == 1
    with loaded.sessions() as session:
        row = session.scalars(
            select(QuarantinedRow).where(QuarantinedRow.source_key == planted["key"])
        ).one()
        assert row.status == "resolved"
        assert row.raw_row["birth_weight_g"] == planted["defective_value"]  # nothing lost


def test_provenance_leads_back_to_the_file_and_row(loaded: Loaded) -> None:
    with loaded.sessions() as session:
        provenance = session.scalars(
            select(FhirResource.resource).where(FhirResource.resource_type == "Provenance").limit(1)
        ).one()
    assert provenance is not None
    entity = provenance["entity"][0]["what"]
    assert entity["display"].startswith(
        (
            "maternity_births_v1.csv row ",
            "neonatal_episodes_v1.csv row ",
            "health_visiting_contacts_v1.csv row ",
        )
    )
    assert entity["identifier"]["value"].startswith("sha-256;")
    assert provenance["target"]


def test_no_nhs_number_reaches_a_log_line_or_a_finding(loaded: Loaded) -> None:
    numbers: set[str] = set()
    for name in FILES.values():
        extract = pd.read_csv(
            loaded.folder / name, dtype=str, keep_default_na=False, encoding="utf-8-sig"
        )
        for column in extract.columns:
            if "nhs_number" in column:
                numbers |= set(extract[column]) - {""}
    with loaded.sessions() as session:
        messages = session.scalars(select(QuarantineReason.message)).all()
    text = loaded.log_text + "\n".join(messages)
    assert loaded.log_text  # something was logged
    assert not [n for n in numbers if n in text]
