"""Benchmark the synthetic extract generator: rows per second and wall time at a given size.

    .venv/bin/python bench/synth.py [--births-per-year N] [--years Y] [--repeat R]

Prints one line per run and a summary (best of R), plus the `perinatal synth` command's own
wall time including interpreter start-up, which is what the 30-second target is about.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from fhir_mappings.synthetic.files import write_extracts
from fhir_mappings.synthetic.generator import generate
from fhir_mappings.synthetic.spec import SynthesisSpec


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--births-per-year", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--defect-rate", type=float, default=0.05)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    spec = SynthesisSpec(
        births_per_year=args.births_per_year, years=args.years, defect_rate=args.defect_rate
    )

    print(f"machine: {machine()}")
    print(
        f"size: {args.births_per_year:,} births/year × {args.years} years, "
        f"defect rate {args.defect_rate}"
    )
    best = float("inf")
    rows = 0
    with tempfile.TemporaryDirectory() as folder:
        for run in range(1, args.repeat + 1):
            started = time.perf_counter()
            result = generate(spec)
            generated = time.perf_counter()
            write_extracts(result, Path(folder))
            finished = time.perf_counter()
            rows = sum(result.truth["counts"]["extract_rows"].values())
            best = min(best, finished - started)
            print(
                f"run {run}: generate {generated - started:.2f} s, write "
                f"{finished - generated:.2f} s, {rows:,} rows, "
                f"{rows / (finished - started):,.0f} rows/s"
            )

        # The ceiling: the same bytes copied file to file, with no generating or formatting.
        copies = Path(folder) / "copies"
        copies.mkdir()
        started = time.perf_counter()
        for path in Path(folder).glob("*.csv"):
            shutil.copyfile(path, copies / path.name)
        copy_seconds = time.perf_counter() - started

        command = [
            str(Path(sys.executable).parent / "perinatal"),
            "synth",
            "--out",
            folder,
            "--births-per-year",
            str(args.births_per_year),
            "--years",
            str(args.years),
            "--defect-rate",
            str(args.defect_rate),
        ]
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        command_seconds = time.perf_counter() - started

    print(
        f"best: {best:.2f} s for {rows:,} rows = {rows / best:,.0f} rows/s; ceiling, the same "
        f"files copied: {copy_seconds:.2f} s = {rows / copy_seconds:,.0f} rows/s"
    )
    print(f"`perinatal synth` end to end (with start-up): {command_seconds:.2f} s")


if __name__ == "__main__":
    main()
