"""Write a generated data set to a folder: the three extracts (with their file-level defects),
the reference tables, `truth.json` and the defect manifest `defects.csv`."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from fhir_mappings.synthetic.defects import FileFormat
from fhir_mappings.synthetic.extracts import EXTRACTS
from fhir_mappings.synthetic.generator import SyntheticExtracts

POSTCODE_LOOKUP_FILE = "reference/postcode_lsoa.csv"
IMD_FILE = "reference/imd2019_lsoa.csv"
HES_DELIVERIES_FILE = "reference/hes_annual_deliveries.csv"
TRUTH_FILE = "truth.json"
DEFECTS_FILE = "defects.csv"


def write_extracts(result: SyntheticExtracts, out_dir: Path) -> list[Path]:
    """Write every file and return their paths; existing files of the same names are replaced."""
    (out_dir / "reference").mkdir(parents=True, exist_ok=True)
    written = []
    for name, extract in result.extracts.items():
        path = out_dir / EXTRACTS[name][0]
        write_csv(extract.frame, path, extract.file_format)
        written.append(path)
    for frame, relative in (
        (result.postcode_lookup, POSTCODE_LOOKUP_FILE),
        (result.imd_file7, IMD_FILE),
        (result.hes_deliveries, HES_DELIVERIES_FILE),
    ):
        write_csv(frame, out_dir / relative, FileFormat())
        written.append(out_dir / relative)
    write_csv(result.defect_manifest(), out_dir / DEFECTS_FILE, FileFormat())
    (out_dir / TRUTH_FILE).write_text(json.dumps(result.truth, indent=2) + "\n", encoding="utf-8")
    return [*written, out_dir / DEFECTS_FILE, out_dir / TRUTH_FILE]


def write_csv(frame: pd.DataFrame, path: Path, file_format: FileFormat) -> None:
    text = frame.to_csv(index=False, lineterminator=file_format.line_ending)
    if file_format.trailing_empty_line:
        text += file_format.line_ending
    encoding = "utf-8-sig" if file_format.byte_order_mark else "utf-8"
    path.write_bytes(text.encode(encoding))
