"""Small MSDS folders for tests: a few births in the maternity reference layout, written as MSDS
v2 tables by the synthetic writer, then edited the way a real submission goes wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from fhir_mappings.synthetic.national.msds import msds_tables
from fhir_mappings.synthetic.national.writing import write_tables
from tests.fhir_mappings.mapping.test_engine import GOOD

# A valid reference row, at a date the tests' reporting periods hold.
BIRTH: dict[str, Any] = {
    **GOOD,
    "mother_nhs_number": "",
    "baby_nhs_number": "",
    "booking_date": "2026-01-10",
    "birth_datetime": "2026-08-14 10:20",
    "delivery_site_code": "ZZ101",
    "mother_ethnic_category": "A",
    "mother_language": "en",
    "perineal_trauma": "second_degree",
    "blood_loss_ml": "400",
    "apgar_5min": "9",
}


def births(*changes: dict[str, Any]) -> pd.DataFrame:
    """One birth per change set, numbered so each has its own mother, delivery and baby."""
    rows = []
    for n, change in enumerate(changes, start=1):
        row = {
            **BIRTH,
            "episode_id": f"E{n}",
            "mother_local_id": f"M{n}",
            "baby_local_id": f"B{n}",
        }
        rows.append({**row, **change})
    return pd.DataFrame(rows)


def write_folder(folder: Path, frame: pd.DataFrame, **options: Any) -> dict[str, pd.DataFrame]:
    tables = msds_tables(frame, **options)
    write_tables(tables, folder)
    return tables
