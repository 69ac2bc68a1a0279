"""`perinatal synth`: write synthetic source extracts, reference tables and their truth."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from fhir_mappings.synthetic.spec import SynthesisSpec
from service.errors import InputError

if TYPE_CHECKING:
    from fhir_mappings.synthetic.generator import SyntheticExtracts

DEFAULTS = SynthesisSpec()
F = TypeVar("F", bound=Callable[..., Any])


def synthesis_options(*, default_defect_rate: float) -> Callable[[F], F]:
    """The generator's options, shared by `synth` and `demo`, handed to the command as one
    validated `spec: SynthesisSpec`."""
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
        click.option(
            "--defect-rate",
            type=float,
            default=default_defect_rate,
            show_default=True,
            help="Share of rows carrying a real-world defect (0 for clean extracts).",
        ),
        click.option(
            "--nothing-planted",
            is_flag=True,
            help="A null region: no events, every group at the same risks (for false alarms).",
        ),
    )

    def decorate(command: F) -> F:
        @functools.wraps(command)
        def with_spec(*args: Any, **kwargs: Any) -> Any:
            fields = {name: kwargs.pop(name) for name in SynthesisSpec.model_fields}
            return command(*args, spec=SynthesisSpec(**fields), **kwargs)

        for option in reversed(options):
            with_spec = option(with_spec)
        return cast(F, with_spec)

    return decorate


def format_option(help_text: str) -> Callable[[F], F]:
    """`--format reference|msds`, handed to the command as `national_format`."""
    return click.option(
        "--format",
        "national_format",
        type=click.Choice(["reference", "msds"]),
        default="reference",
        show_default=True,
        help=help_text,
    )


@click.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write the files to (created if missing).",
)
@synthesis_options(default_defect_rate=DEFAULTS.defect_rate)
@format_option(
    "msds: also write the region in the national formats: MSDS v2 tables in OUT/msds, CSDS "
    "in OUT/csds and the National Neonatal Data Set in OUT/nnds."
)
def synth(out_dir: Path, spec: SynthesisSpec, national_format: str) -> None:
    """Write synthetic maternity, neonatal and health-visiting extracts to OUT."""
    result = synthesise(spec, out_dir, msds=national_format == "msds")
    rows = result.truth["counts"]["extract_rows"]
    click.echo(f"wrote {out_dir}: " + ", ".join(f"{n:,} {name} rows" for name, n in rows.items()))
    if national_format == "msds":
        for source, folder in NATIONAL_FOLDERS.items():
            click.echo(f"wrote {out_dir / folder}: the {source} records as {folder.upper()} tables")


# Where `--format msds` writes each source system's records, by the dataset's name.
NATIONAL_FOLDERS = {"maternity": "msds", "health_visiting": "csds", "neonatal": "nnds"}


def synthesise(spec: SynthesisSpec, out_dir: Path, *, msds: bool = False) -> SyntheticExtracts:
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
            if msds:
                write_national_folders(result, out_dir)
        except OSError as error:
            raise InputError(f"cannot write to {out_dir}: {error.strerror}") from None
    return result


def write_national_folders(result: SyntheticExtracts, out_dir: Path) -> None:
    """The region as MSDS, CSDS and NNDS tables, each provider's first month sent twice; the
    MSDS tables also hold the bookings of pregnancies still to give birth."""
    from fhir_mappings.synthetic.national.csds import csds_tables, first_month
    from fhir_mappings.synthetic.national.msds import (
        first_months,
        msds_tables,
        still_to_give_birth,
    )
    from fhir_mappings.synthetic.national.nnds import nnds_tables
    from fhir_mappings.synthetic.national.writing import write_tables

    births = result.extracts["maternity"].frame
    pending, history = still_to_give_birth(
        births, (result.spec.start, result.spec.last_month), result.obstetric_history
    )
    contacts = result.extracts["health_visiting"].frame
    tables = {
        "maternity": msds_tables(
            births,
            resubmitted=first_months(births),
            history=history,
            pending=pending,
        ),
        "health_visiting": csds_tables(contacts, resubmitted=first_month(contacts)),
        "neonatal": nnds_tables(result.extracts["neonatal"].frame),
    }
    for source, folder in NATIONAL_FOLDERS.items():
        write_tables(tables[source], out_dir / folder)
