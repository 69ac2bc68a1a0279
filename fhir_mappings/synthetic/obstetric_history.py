"""What the national tables say about a delivery that the reference extracts do not: previous
caesarean sections and stillbirths (MSD101) and the dates labour began and a caesarean was done
(MSD301), the fields NHS England's Robson and VBAC measures read.

Drawn from their own random stream after everything else, so the rest of the region (and every
indicator the reference extracts give) is the same with or without them. A previous caesarean
is likelier for a mother whose birth now is a caesarean, as it is in life: most women with a
uterine scar give birth by caesarean again.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fhir_mappings.synthetic.sampling import chance

PREVIOUS_CAESAREAN = {"caesarean now": 0.45, "vaginal now": 0.10}
TWO_PREVIOUS_CAESAREANS = 0.2  # of those with any
PREVIOUS_STILLBIRTH = 0.01  # of parous women
LABOUR_BEGAN_THE_DAY_BEFORE = 0.25


def obstetric_history(rng: np.random.Generator, babies: pd.DataFrame) -> pd.DataFrame:
    """One row per delivery (`episode_id`): previous_caesareans, previous_stillbirths,
    labour_onset_date, caesarean_date (dates as YYYY-MM-DD text, blank when none)."""
    deliveries = babies.drop_duplicates("episode_id")
    n = len(deliveries)
    parous = deliveries["parity"].to_numpy() > 0
    caesarean = deliveries["mode_of_birth"].astype(str).str.endswith("caesarean").to_numpy()
    p_scar = np.where(
        caesarean, PREVIOUS_CAESAREAN["caesarean now"], PREVIOUS_CAESAREAN["vaginal now"]
    )
    scars = np.where(
        chance(rng, p_scar, n), np.where(chance(rng, TWO_PREVIOUS_CAESAREANS, n), 2, 1), 0
    )
    stillbirths = np.where(chance(rng, PREVIOUS_STILLBIRTH, n), 1, 0)
    birth_day = deliveries["birth_datetime"].dt.normalize()
    in_labour = deliveries["onset_of_labour"].isin(["spontaneous", "induced"]).to_numpy()
    day_before = chance(rng, LABOUR_BEGAN_THE_DAY_BEFORE, n)
    onset = birth_day - pd.to_timedelta(day_before.astype(int), unit="D")
    return pd.DataFrame(
        {
            "episode_id": deliveries["episode_id"].to_numpy(),
            "previous_caesareans": np.where(parous, scars, 0),
            "previous_stillbirths": np.where(parous, stillbirths, 0),
            "labour_onset_date": np.where(in_labour, onset.dt.strftime("%Y-%m-%d"), ""),
            "caesarean_date": np.where(caesarean, birth_day.dt.strftime("%Y-%m-%d"), ""),
        }
    )
