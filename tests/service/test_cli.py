"""The `perinatal` command: help everywhere, one-line errors with non-zero exits, and the
commands of this issue doing their work."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pandas as pd
import pytest
from click.testing import CliRunner, Result

from alerts.inequality import disclose
from fhir_mappings.fhir.conformance import check_resource
from service.cli import cli
from service.storage import migrate
from service.storage.engine import make_engine

SMALL = ["--births-per-year", "600", "--years", "1"]


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[object]:
    """Invoke the CLI in a clean folder, with the default database under it."""
    for name in list(os.environ):
        if name.startswith("PERINATAL_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
        return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)

    return invoke


def all_command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [prefix]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            paths += all_command_paths(command, (*prefix, name))
        else:
            paths.append((*prefix, name))
    return paths


@pytest.mark.parametrize("path", all_command_paths(cli), ids=lambda p: " ".join(p) or "root")
def test_every_command_has_help(run, path: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    result = run(*path, "--help")
    assert result.exit_code == 0
    assert "Usage: " in result.output


def test_synth_writes_the_three_extracts_the_reference_tables_and_the_truth(
    run,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    result = run("synth", "--out", "data", *SMALL, "--seed", "7")

    assert result.exit_code == 0, result.output
    written = {
        p.relative_to(tmp_path / "data").as_posix()
        for p in (tmp_path / "data").rglob("*")
        if p.is_file()
    }
    assert written == {
        "maternity_births_v1.csv",
        "neonatal_episodes_v1.csv",
        "health_visiting_contacts_v1.csv",
        "reference/postcode_lsoa.csv",
        "reference/imd2019_lsoa.csv",
        "reference/hes_annual_deliveries.csv",
        "truth.json",
        "defects.csv",
    }
    assert "maternity rows" in result.output


def test_synth_is_deterministic_for_a_seed(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for out, seed in (("a", "11"), ("b", "11"), ("c", "12")):
        assert (
            run("synth", "--out", out, *SMALL, "--seed", seed, "--defect-rate", "0.05").exit_code
            == 0
        )

    files = [p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file()]
    for relative in files:
        assert (tmp_path / "a" / relative).read_bytes() == (tmp_path / "b" / relative).read_bytes()
    assert (tmp_path / "a" / "maternity_births_v1.csv").read_bytes() != (
        tmp_path / "c" / "maternity_births_v1.csv"
    ).read_bytes()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["synth", "--out", "d", "--start", "2024-13"],
            "error: invalid --start: expected a month as YYYY-MM (got '2024-13')",
        ),
        (
            ["synth", "--out", "d", "--defect-rate", "0.9"],
            "error: invalid --defect-rate: Input should be less than or equal to 0.5 (got 0.9)",
        ),
        (
            ["synth", "--out", "d", "--births-per-year", "0"],
            "error: invalid --births-per-year: Input should be greater than or equal to 12 (got 0)",
        ),
    ],
)
def test_bad_options_are_one_line_and_exit_non_zero(run, args: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    result = run(*args)
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == message


def test_an_unwritable_output_folder_is_one_line(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "taken").write_text("a file, not a folder")
    result = run("synth", "--out", "taken/inside", *SMALL)
    assert result.exit_code == 4
    assert result.output.strip().splitlines()[-1].startswith("error: cannot write to taken/inside")


def test_db_upgrade_current_and_downgrade(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    head = migrate.head_revision()

    assert run("db", "upgrade").output.strip() == f"database at revision {head}"
    assert (tmp_path / "var" / "perinatal.db").exists()
    assert run("db", "current").output.split() == ["database:", head, "newest:", head]
    assert run("db", "downgrade", "base").output.strip() == "database at revision base"
    assert migrate.current_revision(make_engine("sqlite:///var/perinatal.db")) is None


def test_an_unreachable_database_is_one_line(run) -> None:  # type: ignore[no-untyped-def]
    result = run(
        "db",
        "upgrade",
        env={"PERINATAL_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"},
    )
    assert result.exit_code == 3
    assert len(result.output.strip().splitlines()) == 1
    assert result.output.startswith(
        "error: cannot use the database postgresql+psycopg://nobody@127.0.0.1:1/none: "
    )


def test_demo_without_serving_generates_data_and_migrates(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("demo", "--no-serve", *SMALL)

    assert result.exit_code == 0, result.output
    assert (tmp_path / "var" / "demo" / "maternity_births_v1.csv").exists()
    assert (tmp_path / "var" / "demo" / "truth.json").exists()
    engine = make_engine("sqlite:///var/perinatal.db")
    assert migrate.current_revision(engine) == migrate.head_revision()
    assert "planted: oasi_rise_asian" in result.output
    assert "maternity_births_v1.csv (maternity, mapping maternity_births_v1)" in result.output
    assert "health_visiting_contacts_v1.csv (health_visiting" in result.output
    assert "3/6 reference tables" in result.output
    assert re.search(
        r"analytic projection: [\d,]+ families refreshed \([\d,]+ births", result.output
    )
    assert "data-quality issues between the systems:" in result.output
    # The alert jobs ran once, to the local outbox file, and a second run sent nothing.
    assert "6/6 alerts" in result.output
    assert "1 delivered" in result.output
    assert "the same job again: 0 new notifications" in result.output
    assert (tmp_path / "var" / "alerts-outbox.jsonl").read_text().count("\n") == 1


def test_demo_reads_the_region_from_national_tables(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("demo", "--no-serve", *SMALL, "--format", "msds")

    assert result.exit_code == 0, result.output
    assert (tmp_path / "var/demo/msds/MSD000Header.csv").exists()
    assert "msds (maternity, mapping msds_v2)" in result.output
    assert "csds (health_visiting, mapping csds_v1_6)" in result.output
    assert "nnds (neonatal, mapping nnds_episodes)" in result.output
    assert "_v1.csv (" not in result.output  # no reference extract was read
    assert "is superseded by a later one" in result.output
    assert "done (--no-serve: not serving)" in result.output


def test_ingest_csds_and_nnds_folders(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("synth", "--out", "data", *SMALL, "--format", "msds").exit_code == 0
    for dataset, mapping, table in (
        ("csds", "csds_v1_6", "CYP201CareContact"),
        ("nnds", "nnds_episodes", "NNUEpisodes"),
    ):
        result = run("ingest", dataset, f"data/{dataset}", "--no-projection")
        assert result.exit_code == 0, result.output
        assert f"{dataset} (" in result.output
        assert f"mapping {mapping})" in result.output
        assert ", quarantined 0," in result.output
        (tmp_path / f"data/{dataset}/{table}.csv").unlink()
        result = run("ingest", dataset, f"data/{dataset}")
        assert result.exit_code != 0
        assert (
            result.output.strip()
            .splitlines()[-1]
            .startswith(f"error: {dataset}: the folder lacks the required table {table} (")
        )


def test_the_installed_entry_point_prints_no_traceback(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PERINATAL_")}
    env["PERINATAL_PORT"] = "not-a-port"
    completed = subprocess.run(
        [str(Path(sys.executable).parent / "perinatal"), "db", "upgrade"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert completed.returncode == 2
    assert completed.stderr.strip() == (
        "error: invalid setting PERINATAL_PORT: Input should be a valid integer, unable to "
        "parse string as an integer (got 'not-a-port')"
    )
    assert "Traceback" not in completed.stdout + completed.stderr


ADAPTED_MAPPING = """
source_system: maternity
name: another_trust_births
key: baby.local_id
date_format: "%d/%m/%Y"
datetime_format: "%d/%m/%Y %H:%M"
columns:
  PregnancyID: {target: delivery.episode_id, required: true}
  MumHospNo: {target: mother.local_id, required: true}
  MumDOB: {target: mother.birth_date, required: true}
  BabyHospNo: {target: baby.local_id, required: true}
  BirthDateTime: {target: baby.birth_datetime, required: true}
  WeightKg: {target: baby.birth_weight_g, unit: kg, required: true}
  GestDays: {target: baby.gestation_days}
  DeliveryMode: {target: delivery.mode_of_birth,
                 codes: {SVD: spontaneous_vaginal, FORC: forceps, EMCS: emergency_caesarean}}
  Outcome: {target: baby.birth_outcome, codes: {LB: live_birth, SB: stillbirth_antepartum}}
checks: [weight_for_gestation]
"""


def test_ingest_reads_another_trusts_extract_through_an_edited_mapping(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "theirs.yaml").write_text(ADAPTED_MAPPING)
    (tmp_path / "theirs.csv").write_text(
        "PregnancyID,MumHospNo,MumDOB,BabyHospNo,BirthDateTime,WeightKg,GestDays,DeliveryMode,"
        "Outcome\n"
        "P1,M1,17/05/1990,B1,01/12/2024 14:05,3.42,276,FORC,LB\n"
        "P2,M2,02/11/1985,B2,03/12/2024 09:30,2.95,270,SVD,LB\n"
        "P3,M3,30/06/1996,B3,2024-12-04 10:00,3.1,280,EMCS,LB\n"
    )

    result = run("ingest", "maternity", "theirs.csv", "--mapping", "theirs.yaml")

    assert result.exit_code == 0, result.output
    assert "loaded 2, updated 0, unchanged 0, quarantined 1" in result.output
    assert "date_format: 1 error" in result.output


def test_ingest_refuses_a_bad_mapping_in_one_line(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "bad.yaml").write_text(
        ADAPTED_MAPPING.replace("baby.local_id, required", "baby.hospital_no, required")
    )
    (tmp_path / "theirs.csv").write_text("BabyHospNo\nB1\n")
    result = run("ingest", "maternity", "theirs.csv", "--mapping", "bad.yaml")
    assert result.exit_code == 4
    assert (
        result.output.strip()
        .splitlines()[-1]
        .startswith(
            "error: mapping bad.yaml: column 'BabyHospNo': unknown target 'baby.hospital_no'"
        )
    )


def test_quarantine_list_show_export_and_release_by_reingest(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("synth", "--out", "d", *SMALL, "--defect-rate", "0.05").exit_code == 0
    assert run("ingest", "neonatal", "d/neonatal_episodes_v1.csv").exit_code == 0

    listed = run("quarantine", "list", "--source", "neonatal")
    assert listed.exit_code == 0
    count = int(listed.output.split()[0].replace(",", ""))
    assert count > 0
    first_id = listed.output.splitlines()[1].split()[0]
    shown = run("quarantine", "show", first_id)
    assert "neonatal_episodes_v1.csv row" in shown.output
    assert "badger_episode_id = " in shown.output

    exported = run("quarantine", "export", "--source", "neonatal", "--out", "fix.csv")
    assert exported.output.strip() == f"wrote {count:,} rows to fix.csv"
    manifest = pd.read_csv(tmp_path / "d" / "defects.csv", dtype=str, keep_default_na=False)
    fixes = manifest[manifest["extract"] == "neonatal"].set_index("key")
    rows = pd.read_csv(tmp_path / "fix.csv", dtype=str, keep_default_na=False)
    for index, row in rows.iterrows():
        defect = fixes.loc[row["badger_episode_id"]]
        rows.loc[index, defect["column"]] = defect["clean_value"]
    rows.to_csv(tmp_path / "fix.csv", index=False)

    reloaded = run("ingest", "neonatal", "fix.csv")
    assert f"released from quarantine: {count:,}" in reloaded.output
    assert run("quarantine", "list", "--source", "neonatal").output.startswith("0 rows")


def test_reference_load_projection_issues_and_a_bad_precedence_file(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    planted = ["--births-per-year", "1000", "--years", "1", "--seed", "11", "--defect-rate", "0.2"]
    assert run("synth", "--out", "data", *planted).exit_code == 0
    loaded = run(
        "reference",
        "load",
        "--postcodes",
        "data/reference/postcode_lsoa.csv",
        "--imd",
        "data/reference/imd2019_lsoa.csv",
    )
    assert loaded.exit_code == 0, loaded.output
    assert "postcode_lsoa.csv:" in loaded.output
    assert "imd2019_lsoa.csv:" in loaded.output
    for source, name in (
        ("maternity", "maternity_births_v1.csv"),
        ("neonatal", "neonatal_episodes_v1.csv"),
    ):
        assert run("ingest", source, f"data/{name}").exit_code == 0

    issues = run("projection", "issues", "--rule", "cross_source_birth_weight")
    assert issues.exit_code == 0, issues.output
    assert "cross_source_birth_weight" in issues.output
    assert "[cross_source_birth_weight] birth weight differs between neonatal" in issues.output

    rebuilt = run("projection", "rebuild")
    assert rebuilt.exit_code == 0, rebuilt.output

    (tmp_path / "mine.yaml").write_text("fields:\n  weight: {label: w, precedence: [lab]}\n")
    refused = run("projection", "rebuild", env={"PERINATAL_PRECEDENCE_FILE": "mine.yaml"})
    assert refused.exit_code == 2
    assert refused.output.strip() == (
        "error: precedence file mine.yaml: fields.weight.precedence.0: Input should be "
        "'maternity', 'neonatal', 'health_visiting' or 'other'"
    )

    (tmp_path / "lookup.csv").write_text("postcode,lsoa\nQX1 1AA,E01990001\n")
    bad_table = run("reference", "load", "--postcodes", "lookup.csv")
    assert bad_table.exit_code == 4
    assert bad_table.output.strip() == (
        "error: lookup.csv: a postcode lookup needs the columns pcds and one of lsoa21, lsoa11"
    )


def test_db_reindex_rebuilds_the_search_index(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from sqlalchemy import delete, func, select

    from service.storage.engine import make_engine, make_session_factory
    from service.storage.models import SearchToken
    from service.storage.resource_writes import write_resources

    run("db", "upgrade")
    sessions = make_session_factory(make_engine("sqlite:///./var/perinatal.db"))
    patient = {"resourceType": "Patient", "id": "p1", "gender": "female"}
    with sessions.begin() as session:
        write_resources(session, [patient], now=datetime(2026, 1, 1, tzinfo=UTC))
        indexed = session.scalar(select(func.count()).select_from(SearchToken))
        session.execute(delete(SearchToken))

    result = run("db", "reindex")

    assert result.exit_code == 0
    assert result.output.startswith("indexed 1 resources")
    with sessions() as session:
        restored = session.scalar(select(func.count()).select_from(SearchToken))
    assert restored == indexed == 1  # its gender


def test_synth_and_ingest_msds_from_a_folder_and_a_warehouse(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("synth", "--out", "data", *SMALL, "--format", "msds").exit_code == 0
    assert (tmp_path / "data/msds/MSD401BabyDemographics.csv").exists()
    (tmp_path / "data/msds/MSD106DiagnosisPreg.csv").write_text("UniqSubmissionID\n1\n")

    result = run("ingest", "msds", "data/msds", "--no-projection")
    assert result.exit_code == 0, result.output
    assert "msds (maternity, mapping msds_v2)" in result.output
    assert ", quarantined 0," in result.output
    assert "MSD106DiagnosisPreg.csv is not a table msds_v2 reads: ignored" in result.output
    assert "is superseded by a later one" in result.output

    warehouse = make_engine(f"sqlite:///{tmp_path / 'warehouse.db'}")
    for path in (tmp_path / "data/msds").glob("MSD[0-4]*.csv"):
        pd.read_csv(path, dtype=str, keep_default_na=False).to_sql(path.stem, warehouse)
    warehouse.dispose()
    result = run("ingest", "msds", "--from-db", f"sqlite:///{tmp_path / 'warehouse.db'}")
    assert result.exit_code == 0, result.output
    assert ", quarantined 0," in result.output
    assert "loaded 0, updated 0, unchanged " in result.output  # the same records as the folder


def test_ingest_msds_missing_a_table_is_one_line_and_loads_nothing(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("synth", "--out", "data", *SMALL, "--format", "msds").exit_code == 0
    (tmp_path / "data/msds/MSD000Header.csv").unlink()
    result = run("ingest", "msds", "data/msds")
    assert result.exit_code != 0
    last = result.output.strip().splitlines()[-1]
    assert last == (
        "error: msds: the folder lacks the required table MSD000Header (MSDS v2); "
        "nothing was loaded"
    )
    assert "Traceback" not in result.output


def test_national_measures_per_provider_as_csv_and_json(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("synth", "--out", "data", *SMALL, "--format", "msds").exit_code == 0
    assert run("ingest", "msds", "data/msds").exit_code == 0

    result = run("national", "measures", "--from", "2023-03", "--to", "2023-05")
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0] == (
        "measure,org_code,period_start,period_end,numerator,denominator,rate,published,reason"
    )
    preterm = next(line for line in lines if line.startswith("CQIMPreterm,ZZ1,"))
    assert preterm.startswith("CQIMPreterm,ZZ1,2023-03-01,2023-05-31,")
    assert preterm.endswith(",true,")
    vbac = next(line for line in lines if line.startswith("CQIMVBAC,ZZ1,"))
    assert vbac.endswith(",true,")  # computed from PreviousCaesareanSections
    smoking = next(line for line in lines if line.startswith("CQIMSmokingDelivery,ZZ1,"))
    assert "not computed" not in smoking  # derived from MSD202/MSD302 findings

    as_json = run(
        "national", "measures", "--from", "2023-03", "--to", "2023-03", "--format", "json"
    )
    figures = json.loads(as_json.output)
    tears = next(f for f in figures if f["measure"] == "CQIMTears")
    assert tears["period_end"] == "2023-03-31"
    assert tears["denominator"] > 0

    as_fhir = run(
        "national", "measures", "--from", "2023-03", "--to", "2023-03", "--format", "fhir"
    )
    bundle = json.loads(as_fhir.output)
    assert bundle["resourceType"] == "Bundle"
    assert check_resource(bundle) == []
    reports = [e["resource"] for e in bundle["entry"]]
    assert len(reports) == len(figures)  # one MeasureReport per measure and provider
    report = next(r for r in reports if r["measure"].endswith("/CQIMTears"))
    denominator = next(p for p in report["group"][0]["population"]
                       if p["code"]["coding"][0]["code"] == "denominator")  # fmt: skip
    assert denominator["count"] == disclose(tears["denominator"])

    by_ethnic_group = run(
        "national", "measures", "--from", "2023-03", "--to", "2023-05",
        "--by", "EthnicCategoryMotherGroup",
    )  # fmt: skip
    assert by_ethnic_group.exit_code == 0, by_ethnic_group.output
    rows = list(csv.DictReader(io.StringIO(by_ethnic_group.output)))
    assert list(rows[0])[-2:] == ["breakdown", "group"]
    white = next(r for r in rows if r["measure"] == "CQIMPreterm" and r["group"] == "White")
    assert white["breakdown"] == "EthnicCategoryMotherGroup"
    wrong = run("national", "measures", "--from", "2023-03", "--to", "2023-05", "--by", "Nope")
    assert wrong.exit_code == 2
    assert wrong.output.strip().splitlines()[-1].startswith("error: --by 'Nope' is not a")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--from", "2023-13", "--to", "2024-01"],
            "error: --from '2023-13' is not a month in YYYY-MM",
        ),
        (["--from", "2023-05", "--to", "2023-03"], "error: --to 2023-03 is before --from 2023-05"),
    ],
)
def test_national_measures_refuses_a_bad_window_in_one_line(
    run, args: list[str], message: str
) -> None:  # type: ignore[no-untyped-def]
    result = run("national", "measures", *args)
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == message


def test_national_quality_gives_each_data_quality_measure_against_hes(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("synth", "--out", "data", *SMALL, "--format", "msds").exit_code == 0
    assert run("ingest", "msds", "data/msds").exit_code == 0
    hes = "data/reference/hes_annual_deliveries.csv"
    loaded = run("reference", "load", "--hes-deliveries", hes)
    assert loaded.exit_code == 0, loaded.output
    assert "HES deliveries of" in loaded.output

    result = run("national", "quality", "--month", "2023-05")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert list(rows[0]) == [
        "measure", "title", "org_code", "reporting_month", "window_start", "window_end",
        "numerator", "denominator", "checked_ratio", "passed", "note",
    ]  # fmt: skip
    dq14 = next(r for r in rows if r["measure"] == "CQIMDQ14" and r["org_code"] == "ZZ1")
    # March to May 2023 (92 days) of the region's own deliveries a year, as HES would count.
    annual = next(
        int(r["TotalDeliveries_HES"])
        for r in csv.DictReader((tmp_path / hes).open(encoding="utf-8"))
        if r["OrgCodeProviderMerge"] == "ZZ1"
    )
    assert (dq14["window_start"], dq14["window_end"]) == ("2023-03-01", "2023-05-31")
    assert int(dq14["denominator"]) == annual * 92 // 365
    assert dq14["passed"] == "true"
    assert dq14["note"] == ""


def test_a_bad_hes_deliveries_file_is_one_line_naming_the_row(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "hes.csv").write_text(
        "OrgCodeProviderMerge,TotalDeliveries_HES\nZZ1,4000\nZZ2,many\n", encoding="utf-8"
    )
    result = run("reference", "load", "--hes-deliveries", "hes.csv")
    assert result.exit_code != 0
    assert result.output.strip().splitlines()[-1] == (
        "error: hes.csv row 3: TotalDeliveries_HES 'many' is not a whole number"
    )
