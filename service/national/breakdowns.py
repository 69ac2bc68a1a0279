"""NHS England's national breakdown groupings (`breakdowns.yaml`): each turns one analytic
field into the published group names, so a CQIM can be broken down as NHS England publishes it.
Pure: a births frame in, a group name per birth out."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from service.indicators.projection_frames import FIELDS_BY_TABLE

BREAKDOWNS_FILE = Path(__file__).with_name("breakdowns.yaml")


@dataclass(frozen=True)
class Breakdown:
    id: str
    field: str
    otherwise: str
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)  # name → field values
    bands: tuple[tuple[int, int, str], ...] = ()  # inclusive numeric bounds → name
    missing: str | None = None  # the name of a value not recorded (else `otherwise`)
    when_missing: Breakdown | None = None  # where a value is not recorded, another field's say

    @property
    def fields(self) -> set[str]:
        return {self.field} | (self.when_missing.fields if self.when_missing else set())

    @property
    def order(self) -> list[str]:
        names = [*self.groups, *(name for _, _, name in self.bands)]
        if self.when_missing:
            names += [n for n in self.when_missing.order if n not in names]
        return [*names, *dict.fromkeys(n for n in (self.missing, self.otherwise) if n)]

    def groups_of(self, births: pd.DataFrame) -> pd.Series:
        """The published group of each birth."""
        values = births[self.field]
        named = pd.Series(self.otherwise, index=births.index, dtype=object)
        if self.bands:
            number = pd.to_numeric(values, errors="coerce")
            for low, high, name in self.bands:
                named[(number >= low) & (number <= high)] = name
        if pd.api.types.is_numeric_dtype(values):  # 1.0 read back from a float column is "1"
            values = pd.to_numeric(values, errors="coerce").round().astype("Int64")
        text = values.astype("string").str.strip().str.upper()
        for name, codes in self.groups.items():
            named[text.isin([c.upper() for c in codes]).fillna(False).to_numpy()] = name
        absent = values.isna().to_numpy()
        if self.missing:
            named[absent] = self.missing
        if self.when_missing:
            inner = self.when_missing.groups_of(births)
            said = absent & (inner != self.when_missing.otherwise).to_numpy()
            named[said] = inner[said]
        return named


def load_breakdowns(path: Path = BREAKDOWNS_FILE) -> dict[str, Breakdown]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    breakdowns = [_breakdown(spec) for spec in document["breakdowns"]]
    known = FIELDS_BY_TABLE["births"]
    for breakdown in breakdowns:
        for name in breakdown.fields - known:
            raise ValueError(f"{breakdown.id}: unknown field {name!r}")
    return {b.id: b for b in breakdowns}


def _breakdown(spec: dict[str, Any]) -> Breakdown:
    return Breakdown(
        id=spec.get("id", ""),
        field=spec["field"],
        otherwise=spec.get("otherwise", ""),
        groups={str(k): tuple(str(c) for c in v) for k, v in spec.get("groups", {}).items()},
        bands=tuple((int(lo), int(hi), str(name)) for lo, hi, name in spec.get("bands", [])),
        missing=spec.get("missing"),
        when_missing=_breakdown(spec["when_missing"]) if "when_missing" in spec else None,
    )
