"""The records NHS England's national measures count, read from the analytic projection (the
database edge of `cqim.py`): every birth, and every booking the product holds no birth for.

NHS England counts a booking in the month it was made, whether or not the birth has followed
(CQIMSmokingBooking and CQIMDQ03, 04, 05, 27 and 28 read MSD101). A birth carries its own
booking's facts; the bookings without a birth carry theirs, with no birth date, so a measure
dated by birth never counts them.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy.orm import Session

from service.indicators.projection_frames import read_frames

BOOKINGS = "bookings_without_birth"


def national_records(births: pd.DataFrame, bookings: pd.DataFrame | None) -> pd.DataFrame:
    if bookings is None or bookings.empty:
        return births
    return pd.concat([births, bookings], ignore_index=True)


def read_national_records(session: Session, fields: set[str]) -> pd.DataFrame:
    """The births and the bookings without a birth, with the `fields` the measures read."""
    frames = read_frames(session, fields={"births": fields, BOOKINGS: fields})
    return national_records(frames["births"], frames[BOOKINGS])
