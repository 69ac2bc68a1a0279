"""The demo's indicator results, on a fixed seed, are exactly what they were before the
performance work of issue 20: every count, every series point and limit, every funnel and
gradient. The golden digests were written by this module from the code as it stood before that
work (`python -m tests.service.indicators.test_demo_results_unchanged` rewrites them, for a
change that means to alter results: say so in its commit).

The digests depend on the numerical libraries' versions too: on 2026-12-08 a new machine's
fresh install (numpy 2.4.6, pandas 3.1.2, scipy 1.17.1) gave another digest for one indicator
(low_birth_weight_term, same counts) from both the code before issue 20 and the code after it.
The file was then rewritten from the code before issue 20 (b392800^) under those versions; a
digest that moves with an upgrade is checked the same way before being rewritten.

Digests, not the figures themselves, keep the golden file small; beside each digest the
indicator's overall numerator and denominator say, on a failure, which way it moved."""

from __future__ import annotations

import hashlib
import json
import math
import os
import sys
from pathlib import Path
from typing import Any

import orjson
from click.testing import CliRunner
from sqlalchemy import create_engine, text

GOLDEN = Path(__file__).with_name("demo_results_golden.json")
DEMO_ARGS = [
    "demo",
    "--no-serve",
    "--births-per-year",
    "1200",
    "--years",
    "2",
    "--seed",
    "20231",
]


def run_demo(folder: Path) -> Path:
    """The demo, not served, in `folder`; returns its SQLite database."""
    from service.cli import cli

    database = folder / "perinatal.db"
    environment = {
        "PERINATAL_DATABASE_URL": f"sqlite:///{database}",
        "PERINATAL_DATA_DIR": str(folder),
    }
    result = CliRunner().invoke(cli, DEMO_ARGS, env=environment, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return database


def _canonical(value: Any) -> Any:
    # Floats to 12 significant digits: the same arithmetic in another order may differ in the
    # last bits, which is not a change of result.
    if isinstance(value, float):
        return None if math.isnan(value) else float(f"{value:.12g}")
    if isinstance(value, dict):
        return {key: _canonical(item) for key, item in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    return value


def _json(value: str | bytes | None) -> Any:
    return None if value is None else orjson.loads(value)


def demo_results(database: Path) -> dict[str, dict[str, Any]]:
    """Per indicator: a digest of its counts, series and stratifications, and its totals."""
    engine = create_engine(f"sqlite:///{database}")
    by_indicator: dict[str, dict[str, list[Any]]] = {}
    with engine.connect() as connection:
        counts = connection.execute(
            text(
                "SELECT indicator_id, stratification, stratum, period, population, complete,"
                " denominator, numerator FROM indicator_count"
            )
        )
        for indicator, *rest in counts:
            by_indicator.setdefault(indicator, {"counts": [], "series": [], "across": []})
            by_indicator[indicator]["counts"].append([str(v) for v in rest])
        series = connection.execute(
            text(
                "SELECT indicator_id, stratification, stratum, latest_period,"
                " latest_point_type, window_rag, trial_limits, points, window"
                " FROM indicator_series"
            )
        )
        for indicator, stratification, stratum, period, kind, rag, trial, points, window in series:
            by_indicator[indicator]["series"].append(
                [
                    *(stratification, stratum, period, kind, rag, bool(trial)),
                    *(_canonical(_json(points)), _canonical(_json(window))),
                ]
            )
        across = connection.execute(
            text(
                "SELECT indicator_id, stratification, funnel, gradient"
                " FROM indicator_stratification"
            )
        )
        for indicator, stratification, funnel, gradient in across:
            by_indicator[indicator]["across"].append(
                [stratification, _canonical(_json(funnel)), _canonical(_json(gradient))]
            )
    engine.dispose()
    results = {}
    for indicator, parts in sorted(by_indicator.items()):
        for rows in parts.values():
            rows.sort(key=lambda row: json.dumps(row[:3], default=str))
        overall = [row for row in parts["counts"] if row[0] == "overall"]
        results[indicator] = {
            "numerator": sum(int(row[6]) for row in overall),
            "denominator": sum(int(row[5]) for row in overall),
            "counts": len(parts["counts"]),
            "series": len(parts["series"]),
            "sha256": hashlib.sha256(
                json.dumps(parts, sort_keys=True, default=str).encode()
            ).hexdigest(),
        }
    return results


def test_the_demo_computes_the_same_indicator_results_as_before(tmp_path: Path) -> None:
    expected = json.loads(GOLDEN.read_text())

    measured = demo_results(run_demo(tmp_path))

    assert sorted(measured) == sorted(expected)
    changed = {
        indicator: (expected[indicator], figures)
        for indicator, figures in measured.items()
        if figures != expected[indicator]
    }
    assert not changed, f"indicator results changed (expected, measured): {changed}"


if __name__ == "__main__":
    import tempfile

    for name in [name for name in os.environ if name.startswith("PERINATAL_")]:
        del os.environ[name]
    with tempfile.TemporaryDirectory() as scratch:
        GOLDEN.write_text(json.dumps(demo_results(run_demo(Path(scratch))), indent=1) + "\n")
    print(f"wrote {GOLDEN}", file=sys.stderr)
