"""What every national-format writer shares: codes read back through the mapping, inverted, and
one CSV file per table named by the table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from fhir_mappings.mapping.model import Mapping
from fhir_mappings.national.model import Submission


def inverse_codes(mapping: Mapping) -> dict[str, dict[str, str]]:
    """Concept → the first code the mapping reads as it, per code map: the writer and the
    reader cannot drift apart."""
    inverse: dict[str, dict[str, str]] = {}
    for name, code_map in mapping.code_maps.items():
        inverse[name] = {}
        for local, concept in code_map.items():
            inverse[name].setdefault(concept, local)
    return inverse


def write_tables(tables: dict[str, pd.DataFrame], folder: Path, *, delimiter: str = ",") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False, sep=delimiter)


def month_periods(dates: pd.Series) -> pd.Series:
    """YYYY-MM of each date (text, YYYY-MM-DD…); a garbled one takes its neighbours' month."""
    when = pd.to_datetime(dates.fillna("").astype(str).str[:10], format="%Y-%m-%d", errors="coerce")
    return when.dt.strftime("%Y-%m").ffill().bfill()


def header_row(spec: Submission, provider: str, month: str, submission_id: str) -> dict[str, str]:
    """The submission header of a provider's month, in the dataset's own column names."""
    period = pd.Period(month, "M")
    return {
        spec.provider: provider,
        spec.period_start: period.start_time.date().isoformat(),
        spec.period_end: period.end_time.date().isoformat(),
        spec.submission_id: submission_id,
    }
