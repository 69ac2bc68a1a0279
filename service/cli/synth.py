"""`perinatal synth`: write synthetic source extracts, reference tables and their truth."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from fhir_mappings.synthetic.spec import SynthesisSpec
from service.errors import InputError

if TYPE_CHECKING:
    from fhir_mappings.synthetic.generator import SyntheticExtracts

DEFAULTS = SynthesisSpec()
F = TypeVar("F", bound=Callable[..., Any])


def synthesis_options(command: F) -> F:
    """The generator's options, shared by `synth` and `demo`."""
    options = (
        click.option(
            "--births-per-year",
            type=int,
            default=DEFAULTS.births_per_year,
            show_default=True,
            help="Babies born per year.",
        ),
        click.option(
            "--years", type=int, default=DEFAULTS.years, show_default=True, help="Years of data."
        ),
        click.option(
            "--start", default=DEFAULTS.start, show_default=True, help="First month, YYYY-MM."
        ),
        click.option(
            "--seed",
            type=int,
            default=DEFAULTS.seed,
            show_default=True,
            help="Random seed: the same seed gives the same files.",
        ),
    )
    for option in reversed(options):
        command = option(command)
    return command


@click.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write the files to (created if missing).",
)
@synthesis_options
@click.option(
    "--defect-rate",
    type=float,
    default=DEFAULTS.defect_rate,
    show_default=True,
    help="Share of rows carrying a real-world defect (0 for clean extracts).",
)
def synth(
    out_dir: Path, births_per_year: int, years: int, start: str, seed: int, defect_rate: float
) -> None:
    """Write synthetic maternity, neonatal and health-visiting extracts to OUT."""
    spec = SynthesisSpec(
        births_per_year=births_per_year,
        years=years,
        start=start,
        seed=seed,
        defect_rate=defect_rate,
    )
    result = synthesise(spec, out_dir)
    rows = result.truth["counts"]["extract_rows"]
    click.echo(f"wrote {out_dir}: " + ", ".join(f"{n:,} {name} rows" for name, n in rows.items()))


def synthesise(spec: SynthesisSpec, out_dir: Path) -> SyntheticExtracts:
    """Generate and write, with a progress bar over the stages."""
    from fhir_mappings.synthetic.files import write_extracts
    from fhir_mappings.synthetic.generator import STAGES, generate

    with click.progressbar(
        length=len(STAGES) + 1,
        label="synthesising",
        item_show_func=lambda stage: stage,
        file=sys.stderr,
    ) as bar:
        result = generate(spec, on_stage=lambda stage: bar.update(1, stage))
        bar.update(1, "writing")
        try:
            write_extracts(result, out_dir)
        except OSError as error:
            raise InputError(f"cannot write to {out_dir}: {error.strerror}") from None
    return result
