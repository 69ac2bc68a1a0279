"""The same synthetic region read from the reference extracts and from the national tables (MSDS
v2, CSDS, the National Neonatal Data Set) gives the same indicator counts, for every indicator
and stratum both can compute. Those they cannot agree on are listed with the reason (the README
says the same, under "National inputs"). A full `$export` of what the national tables gave is
valid R4."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson
import pandas as pd
import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session, sessionmaker

from fhir_mappings.fhir.conformance import check_resource
from fhir_mappings.mapping.model import default_mapping, national_mapping
from fhir_mappings.national.tables import read_folder
from fhir_mappings.synthetic.files import IMD_FILE, POSTCODE_LOOKUP_FILE, write_extracts
from fhir_mappings.synthetic.generator import generate
from fhir_mappings.synthetic.spec import SynthesisSpec
from service.bulk_export.job import run_export
from service.cli.synth import NATIONAL_FOLDERS, write_national_folders
from service.indicators.catalogue import load_catalogue
from service.indicators.counting import count
from service.indicators.projection_frames import read_frames
from service.ingest.run import ingest_file, ingest_tables
from service.projection.precedence import load_precedence
from service.projection.reference_tables import load_imd, load_postcode_lookup
from service.projection.refresh import refresh
from service.storage import migrate
from service.storage.engine import make_session_factory
from service.storage.models import BulkExport, FhirResource

CLOCK_TIME = datetime(2027, 1, 1, tzinfo=UTC)
REFERENCE_FILES = {
    "maternity": "maternity_births_v1.csv",
    "neonatal": "neonatal_episodes_v1.csv",
    "health_visiting": "health_visiting_contacts_v1.csv",
}
# What the national tables, as the product reads them, do not carry (README, "National inputs").
NOT_IN_THE_NATIONAL_TABLES = {
    # CSDS holds the child's record: no maternal mood screen, and neither MSDS nor CSDS as read
    # here carries a perinatal mental health referral.
    "mood_screen_positive_referred": "no maternal mood screen in CSDS as read",
    "pmh_referral": "no perinatal mental health referral in MSDS or CSDS as read",
}
STRATIFICATIONS_NOT_IN_THE_NATIONAL_TABLES = {
    "interpreter_required": "MSDS v2 as read here holds no interpreter item",
}


def load(sessions: sessionmaker[Session], folder: Path, form: str) -> None:
    with sessions.begin() as session:
        load_postcode_lookup(session, folder / POSTCODE_LOOKUP_FILE, now=CLOCK_TIME)
        load_imd(session, folder / IMD_FILE, now=CLOCK_TIME)
    for source, file_name in REFERENCE_FILES.items():
        if form == "reference":
            mapping = default_mapping(source)
            ingest_file(
                sessions, folder / file_name, mapping, clock=lambda: CLOCK_TIME, project=False
            )
            continue
        dataset = NATIONAL_FOLDERS[source]
        mapping = national_mapping(dataset)
        declared = list(mapping.national.tables)  # type: ignore[union-attr]
        contents = read_folder(folder / dataset, declared)
        ingest_tables(
            sessions, dataset, lambda: contents, mapping,  # noqa: B023 (called at once)
            clock=lambda: CLOCK_TIME, project=False,
        )  # fmt: skip
    refresh(sessions, precedence=load_precedence())


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder holding the region, its two databases (`reference.db`, `national.db`) loaded."""
    folder = tmp_path_factory.mktemp("region")
    result = generate(SynthesisSpec(births_per_year=1200, years=1, defect_rate=0.0, seed=5))
    write_extracts(result, folder)
    write_national_folders(result, folder)
    for form in ("reference", "national"):
        engine = create_engine(f"sqlite:///{folder / f'{form}.db'}")
        migrate.upgrade(engine)
        sessions = make_session_factory(engine)
        load(sessions, folder, form)
        engine.dispose()
    return folder


@pytest.fixture(scope="module")
def counts(region: Path) -> dict[str, pd.DataFrame]:
    catalogue = load_catalogue()
    found = {}
    for form in ("reference", "national"):
        engine = create_engine(f"sqlite:///{region / f'{form}.db'}")
        with make_session_factory(engine)() as session:
            found[form] = count(read_frames(session), catalogue)
        engine.dispose()
    return found


def test_every_indicator_both_can_compute_has_the_same_counts(
    counts: dict[str, pd.DataFrame],
) -> None:
    keys = ["indicator_id", "period", "stratification", "stratum"]
    reference, national = (
        counts[form][
            ~counts[form]["indicator_id"].isin(NOT_IN_THE_NATIONAL_TABLES)
            & ~counts[form]["stratification"].isin(STRATIFICATIONS_NOT_IN_THE_NATIONAL_TABLES)
        ]
        .sort_values(keys)
        .reset_index(drop=True)
        for form in ("reference", "national")
    )
    assert reference["indicator_id"].nunique() >= 15
    merged = reference.merge(national, on=keys, how="outer", suffixes=("", "_national"))
    differing = merged[
        (merged["numerator"] != merged["numerator_national"])
        | (merged["population"] != merged["population_national"])
    ]
    assert differing[[*keys, "numerator", "numerator_national"]].to_dict("records") == []


def test_the_indicators_set_aside_do_differ(counts: dict[str, pd.DataFrame]) -> None:
    """Each entry of the list above is there because it must be: remove it when it agrees."""
    totals = {
        form: frame[frame["stratification"] == "overall"].groupby("indicator_id")["numerator"].sum()
        for form, frame in counts.items()
    }
    for indicator in NOT_IN_THE_NATIONAL_TABLES:
        assert totals["reference"].get(indicator, 0) != totals["national"].get(indicator, 0)
    for stratification in STRATIFICATIONS_NOT_IN_THE_NATIONAL_TABLES:
        strata = {
            form: set(frame.loc[frame["stratification"] == stratification, "stratum"])
            for form, frame in counts.items()
        }
        assert strata["national"] == {"Not recorded"} != strata["reference"]


def test_a_full_export_of_the_national_region_is_valid_r4(region: Path, tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{region / 'national.db'}")
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        types = sorted(session.scalars(select(FhirResource.resource_type).distinct()))
        session.add(
            BulkExport(
                id="all", status="running", request_url="$export", client_name="test",
                level="system", types=",".join(types), requested_at=CLOCK_TIME,
            )
        )  # fmt: skip
    run_export(sessions, "all", tmp_path, clock=lambda: CLOCK_TIME)
    with sessions() as session:
        job = session.get(BulkExport, "all")
        assert job is not None
        assert job.status == "complete", job.error
        assert job.output is not None
        files = job.output["files"]
    engine.dispose()
    assert {"Patient", "Observation", "Encounter", "Provenance"} <= {f["type"] for f in files}
    exported, invalid = 0, []
    for output in files:
        for line in (tmp_path / output["file"]).read_text(encoding="utf-8").splitlines():
            resource = orjson.loads(line)
            exported += 1
            issues = [i for i in check_resource(resource) if i.severity == "error"]
            if issues:
                invalid.append((resource["resourceType"], resource["id"], issues[0]))
    assert exported == sum(f["count"] for f in files) > 1000
    assert invalid == []
