"""Data sets generated once per run at the default size (3 years × 10,000 births), written to
disk and read back as text, exactly as the product's ingest will read them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from fhir_mappings.synthetic.files import write_extracts
from fhir_mappings.synthetic.generator import generate
from fhir_mappings.synthetic.spec import SynthesisSpec


@dataclass(frozen=True)
class WrittenDataSet:
    folder: Path
    truth: dict[str, Any]

    def read(self, name: str) -> pd.DataFrame:
        return pd.read_csv(
            self.folder / name, dtype=str, keep_default_na=False, encoding="utf-8-sig"
        )

    @property
    def maternity(self) -> pd.DataFrame:
        return self.read("maternity_births_v1.csv")

    @property
    def neonatal(self) -> pd.DataFrame:
        return self.read("neonatal_episodes_v1.csv")

    @property
    def health_visiting(self) -> pd.DataFrame:
        return self.read("health_visiting_contacts_v1.csv")


def _written(folder: Path, spec: SynthesisSpec) -> WrittenDataSet:
    write_extracts(generate(spec), folder)
    return WrittenDataSet(folder, json.loads((folder / "truth.json").read_text()))


@pytest.fixture(scope="session")
def clean_data(tmp_path_factory: pytest.TempPathFactory) -> WrittenDataSet:
    return _written(tmp_path_factory.mktemp("clean"), SynthesisSpec())


@pytest.fixture(scope="session")
def defective_data(tmp_path_factory: pytest.TempPathFactory) -> WrittenDataSet:
    return _written(tmp_path_factory.mktemp("defective"), SynthesisSpec(defect_rate=0.05))


@pytest.fixture(scope="session")
def births(clean_data: WrittenDataSet) -> pd.DataFrame:
    """The clean maternity extract with typed columns and the mother's IMD quintile, derived
    through the written reference tables as the product will derive it."""
    frame = clean_data.maternity
    lookup = clean_data.read("reference/postcode_lsoa.csv")[["pcds", "lsoa11"]]
    imd = clean_data.read("reference/imd2019_lsoa.csv")
    decile_column = next(
        c for c in imd.columns if c.startswith("Index of Multiple Deprivation (IMD) Decile")
    )
    imd = imd[["LSOA code (2011)", decile_column]].set_axis(["lsoa11", "imd_decile"], axis=1)
    frame = frame.merge(lookup, left_on="mother_postcode", right_on="pcds", how="left").merge(
        imd, on="lsoa11", how="left"
    )
    frame["imd_quintile"] = (pd.to_numeric(frame["imd_decile"]) + 1) // 2
    for column in (
        "gestation_at_birth_days",
        "birth_weight_g",
        "plurality",
        "parity",
        "bmi_at_booking",
        "gestation_at_booking_days",
    ):
        frame[column] = pd.to_numeric(frame[column])
    frame["birth_month"] = frame["birth_datetime"].str[:7]
    return frame
