"""A synthetic city: LSOAs with IMD deciles, postcodes, GP practices, and the two reference tables
in the official layouts (ONS postcode lookup, English Indices of Deprivation file 7).

Codes are made to be recognisably synthetic: postcode area `QX` (no UK area starts with Q), LSOA
codes `E0199xxxx`, practice codes `Z99xxx`, local authority `E06009999`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from fhir_mappings.synthetic import population as pop

NATIONAL_LSOA_COUNT = 32_844
LOCAL_AUTHORITY_CODE = "E06009999"
LOCAL_AUTHORITY_NAME = "Synthetic City"
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters used in the inward code

IMD_FILE7_COLUMNS = {
    "lsoa_code": "LSOA code (2011)",
    "lsoa_name": "LSOA name (2011)",
    "lad_code": "Local Authority District code (2019)",
    "lad_name": "Local Authority District name (2019)",
    "imd_score": "Index of Multiple Deprivation (IMD) Score",
    "imd_rank": "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)",
    "imd_decile": (
        "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)"
    ),
}


@dataclass(frozen=True)
class City:
    lsoas: pd.DataFrame  # lsoa_code, lsoa_name, imd_decile, imd_rank, imd_score
    postcodes: pd.DataFrame  # postcode, lsoa_code, imd_decile
    gp_practices: pd.DataFrame  # practice_code, practice_postcode
    out_of_area_postcodes: np.ndarray  # real-looking postcodes absent from the lookup

    def postcode_lookup(self) -> pd.DataFrame:
        """The ONS National Statistics Postcode Lookup layout (the columns the product reads)."""
        postcode = self.postcodes["postcode"]
        outward = postcode.str.split(" ").str[0]
        inward = postcode.str.split(" ").str[1]
        return pd.DataFrame(
            {
                "pcd7": outward.str.ljust(4) + inward,
                "pcd8": outward.str.ljust(5) + inward,
                "pcds": postcode,
                "dointr": "200001",
                "doterm": "",
                "oslaua": LOCAL_AUTHORITY_CODE,
                "lsoa11": self.postcodes["lsoa_code"],
                "lsoa21": self.postcodes["lsoa_code"],
            }
        )

    def imd_file7(self) -> pd.DataFrame:
        """The English Indices of Deprivation 2019 file 7 layout."""
        frame = self.lsoas.assign(lad_code=LOCAL_AUTHORITY_CODE, lad_name=LOCAL_AUTHORITY_NAME)
        return frame[list(IMD_FILE7_COLUMNS)].rename(columns=IMD_FILE7_COLUMNS)


def build_city(rng: np.random.Generator) -> City:
    lsoas = _lsoas(rng)
    postcodes = _postcodes(rng, lsoas)
    practice_rows = rng.choice(len(postcodes), pop.GP_PRACTICE_COUNT, replace=False)
    gp_practices = pd.DataFrame(
        {
            "practice_code": [f"Z99{n:03d}" for n in range(1, pop.GP_PRACTICE_COUNT + 1)],
            "practice_postcode": postcodes["postcode"].to_numpy()[practice_rows],
        }
    )
    out_of_area = np.array(
        [
            f"QY{d} {d}{a}{b}"
            for d, a, b in zip(
                rng.integers(1, 10, 40),
                rng.choice(list(POSTCODE_LETTERS), 40),
                rng.choice(list(POSTCODE_LETTERS), 40),
                strict=True,
            )
        ],
        dtype=object,
    )
    return City(lsoas, postcodes, gp_practices, np.unique(out_of_area))


def _lsoas(rng: np.random.Generator) -> pd.DataFrame:
    shares = np.array(pop.LSOA_DECILE_SHARE)
    deciles = np.sort(rng.choice(np.arange(1, 11), pop.LSOA_COUNT, p=shares / shares.sum()))
    per_decile = NATIONAL_LSOA_COUNT / 10
    ranks = ((deciles - 1) * per_decile + rng.uniform(1, per_decile, len(deciles))).astype(int)
    order = rng.permutation(len(deciles))  # codes should not betray deprivation order
    frame = pd.DataFrame(
        {
            "lsoa_code": [f"E0199{n:04d}" for n in range(1, len(deciles) + 1)],
            "imd_decile": deciles[order],
            "imd_rank": ranks[order],
        }
    )
    frame["imd_score"] = np.round(80 * np.exp(-frame["imd_rank"] / 9000) + 1.5, 3)
    frame["lsoa_name"] = [
        f"{LOCAL_AUTHORITY_NAME} {n // 4 + 1:03d}{'ABCD'[n % 4]}" for n in range(len(frame))
    ]
    return frame


def _postcodes(rng: np.random.Generator, lsoas: pd.DataFrame) -> pd.DataFrame:
    count = len(lsoas) * pop.POSTCODES_PER_LSOA
    letters = np.array(list(POSTCODE_LETTERS))
    candidates = pd.unique(
        pd.Series(
            "QX"
            + pd.Series(rng.integers(1, 10, count * 2)).astype(str)
            + " "
            + pd.Series(rng.integers(0, 10, count * 2)).astype(str)
            + letters[rng.integers(0, len(letters), count * 2)]
            + letters[rng.integers(0, len(letters), count * 2)]
        )
    )[:count]
    lsoa_index = np.repeat(np.arange(len(lsoas)), pop.POSTCODES_PER_LSOA)
    return pd.DataFrame(
        {
            "postcode": candidates,
            "lsoa_code": lsoas["lsoa_code"].to_numpy()[lsoa_index],
            "imd_decile": lsoas["imd_decile"].to_numpy()[lsoa_index],
        }
    )
