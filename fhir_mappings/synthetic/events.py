"""Events planted in the synthetic data that an SPC chart must catch, declared as data.

Each event multiplies one probability of the generator (`parameter`) for the rows of one stratum
from a month on. The generator asks `multiplier(...)` wherever it draws that probability, and the
events land in `truth.json` so tests can check that the pipeline finds what was planted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

STRATUM_COLUMNS = ("ethnic_group", "site_code", "imd_quintile", "language")


@dataclass(frozen=True)
class InjectedEvent:
    id: str
    description: str
    indicator: str  # the catalogue id whose chart should show the event
    parameter: str  # the generator probability it multiplies
    multiplier: float
    start_fraction: float  # where in the period it starts, 0..1, rounded to a month
    expected_signal: str  # the SPC point type the chart should show after the start
    stratum: dict[str, str] = field(default_factory=dict)

    def start_month_index(self, month_count: int) -> int:
        return round(self.start_fraction * month_count)


INJECTED_EVENTS: tuple[InjectedEvent, ...] = (
    InjectedEvent(
        id="oasi_rise_asian",
        description="Sustained rise in third/fourth-degree tears among Asian women "
        "(a change in intrapartum practice on the labour ward).",
        indicator="oasi",
        parameter="oasi",
        multiplier=2.2,
        start_fraction=0.55,
        expected_signal="special_cause_concern",
        stratum={"ethnic_group": "Asian"},
    ),
    InjectedEvent(
        id="smoking_cessation_service",
        description="Step fall in smoking at delivery after an in-house tobacco dependence "
        "service started.",
        indicator="smoking_at_delivery",
        parameter="smoking_persistence",
        multiplier=0.5,
        start_fraction=0.5,
        expected_signal="special_cause_improvement",
    ),
    InjectedEvent(
        id="term_admissions_rise_site_zz102",
        description="Rise in term admissions to the neonatal unit at site ZZ102 after its "
        "transitional care beds closed.",
        indicator="term_nnu_admission",
        parameter="term_admission",
        multiplier=1.8,
        start_fraction=0.7,
        expected_signal="special_cause_concern",
        stratum={"site_code": "ZZ102"},
    ),
)


def multiplier(
    events: tuple[InjectedEvent, ...],
    parameter: str,
    month_index: npt.NDArray[np.int64],
    month_count: int,
    strata: dict[str, npt.NDArray[np.str_]],
) -> npt.NDArray[np.float64]:
    """Per-row multiplier of `parameter`: the product of every event that applies to the row."""
    result = np.ones(len(month_index))
    for event in events:
        if event.parameter != parameter:
            continue
        applies = month_index >= event.start_month_index(month_count)
        for column, value in event.stratum.items():
            applies &= strata[column] == value
        result = np.where(applies, result * event.multiplier, result)
    return result


def strata_of(frame: pd.DataFrame) -> dict[str, npt.NDArray[np.str_]]:
    """The columns an event's stratum can name, as strings."""
    return {c: frame[c].astype(str).to_numpy() for c in STRATUM_COLUMNS if c in frame}
