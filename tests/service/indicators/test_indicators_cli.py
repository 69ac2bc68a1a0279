"""The indicator commands on seeded results: what they print is disclosure-controlled, the
intervention report reads right, and a mistake is one line with the field and a non-zero exit."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from service.cli import cli
from service.storage import migrate
from service.storage.engine import make_engine
from tests.service.indicators.conftest import seed_counts

Run = Callable[..., Result]


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Run:
    for name in list(os.environ):
        if name.startswith("PERINATAL_"):
            monkeypatch.delenv(name)
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("PERINATAL_DATABASE_URL", url)
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    seed_counts(url, {"White": [40] * 18, "Asian": [12] * 18, "Mixed": [3] * 18})

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)

    return invoke


def test_show_prints_disclosed_figures_and_the_reference(run: Run) -> None:
    shown = run("indicators", "show", "smoking_at_delivery", "--stratification", "ethnic_group")
    assert shown.exit_code == 0, shown.output
    lines = {line.split()[0]: line for line in shown.output.splitlines()[1:]}
    assert "reference" in lines["White"]
    assert "480/6,000" in lines["White"]  # the latest 12 months, rounded to 5
    # 36 smokers in the 12 months (3 a month, each month suppressed): shown as 35, and the
    # percentage from the rounded counts.
    assert "0.6%     35/6,000" in lines["Mixed"]
    listed = run("indicators", "list")
    assert "special_cause_improvement" in listed.output


def test_interventions_and_notes_round_trip(run: Run) -> None:
    added = run(
        "interventions", "add", "--indicator", "smoking_at_delivery", "--date", "2023-11-01",
        "--description", "Tobacco dependence service", "--owner", "Public health", "--rebase",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    report = run("interventions", "report", "1")
    assert "before      8.00   after      4.00" in report.output
    assert "special-cause improvement" in report.output
    note = run(
        "notes", "add", "--indicator", "smoking_at_delivery", "--kind", "feedback",
        "--text", "The service was easy to reach", "--theme", "access", "--period", "2024-02",
    )  # fmt: skip
    assert note.exit_code == 0, note.output
    listed = run("notes", "list", "--indicator", "smoking_at_delivery")
    assert "The service was easy to reach (themes: access)" in listed.output
    shown = run("indicators", "show", "smoking_at_delivery")
    assert "intervention 1 on 2023-11-01: Tobacco dependence service" in shown.output


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("indicators", "show", "nope"), 4, "error: unknown indicator 'nope'"),
        (("notes", "add", "--indicator", "oasi", "--text", "x", "--period", "2025/01"), 2,
         "error: period: a month as YYYY-MM"),
        (("interventions", "add", "--indicator", "oasi", "--date", "2025-01-01",
          "--description", "x", "--owner", "y", "--stratification", "ethnic_group",
          "--stratum", ""), 2, "error: stratum: name the ethnic_group group"),
        (("interventions", "report", "9"), 4, "error: no intervention 9"),
    ],
)  # fmt: skip
def test_mistakes_are_one_line_with_a_non_zero_exit(
    run: Run, args: tuple[str, ...], code: int, message: str
) -> None:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == code
    assert result.output.strip().splitlines()[-1].startswith(message)
