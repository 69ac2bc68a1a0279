"""Postcode → LSOA → IMD decile and quintile, and what to call a postcode that has none.

Pure: the reference tables arrive as mappings (loaded by `reference_tables`). Unknown, pseudo
(`ZZ99…`, no fixed abode or overseas) and missing postcodes each get a status of their own, so
the indicators show them as categories instead of dropping them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

DeprivationStatus = Literal[
    "matched", "pseudo_postcode", "postcode_not_found", "no_postcode", "no_reference_table"
]
PSEUDO_POSTCODE_PREFIX = "ZZ99"


@dataclass(frozen=True)
class Deprivation:
    status: DeprivationStatus
    lsoa_code: str | None = None
    imd_decile: int | None = None

    @property
    def imd_quintile(self) -> int | None:
        """Quintile 1 is the most deprived fifth: deciles 1–2."""
        return None if self.imd_decile is None else (self.imd_decile + 1) // 2


@dataclass(frozen=True)
class DeprivationTables:
    """The two reference tables and their versions (file names and checksums)."""

    lsoa_of_postcode: Mapping[str, str]
    decile_of_lsoa: Mapping[str, int]
    version: str | None

    def lookup(self, postcode: str | None) -> Deprivation:
        code = normalise_postcode(postcode)
        if not code:
            return Deprivation("no_postcode")
        if code.replace(" ", "").startswith(PSEUDO_POSTCODE_PREFIX):
            return Deprivation("pseudo_postcode")
        if not self.lsoa_of_postcode or not self.decile_of_lsoa:
            return Deprivation("no_reference_table")
        lsoa = self.lsoa_of_postcode.get(code)
        decile = self.decile_of_lsoa.get(lsoa) if lsoa else None
        if lsoa is None or decile is None:
            return Deprivation("postcode_not_found", lsoa)
        return Deprivation("matched", lsoa, decile)


NO_TABLES = DeprivationTables({}, {}, None)


def normalise_postcode(postcode: str | None) -> str | None:
    """The ONS `pcds` form: upper case, one space before the three-character inward code."""
    if not postcode:
        return None
    compact = "".join(postcode.split()).upper()
    if len(compact) < 5:
        return compact or None
    return f"{compact[:-3]} {compact[-3:]}"


def outward_code(postcode: str | None) -> str | None:
    """The district part only (e.g. `QX1`): enough to describe a disagreement, not a home."""
    code = normalise_postcode(postcode)
    return code.split(" ", 1)[0] if code else None
