"""Days in neonatal care by BAPM level of care, per year of birth and group: read from the
analytic projection, disclosure-controlled (groups with fewer than 8 admitted babies are not
shown, and days are rounded to the nearest 5)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.inequality import disclose
from alerts.inequality.disclosure import SUPPRESSED_UP_TO
from service.storage.bulk import fetch_frame
from service.storage.models import AnalyticBirth

LEVELS = {
    "nnu_days_intensive": "Intensive care",
    "nnu_days_high_dependency": "High dependency",
    "nnu_days_special": "Special care",
    "nnu_days_transitional": "Transitional care",
}
GROUP_COLUMNS = {"overall": None, "ethnic_group": "ethnic_group", "imd_quintile": "imd_quintile"}


def care_days(session: Session, stratification: str = "overall") -> pd.DataFrame:
    """One row per year (and group): babies admitted, then days at each level of care, and the
    mean days per admitted baby."""
    column = GROUP_COLUMNS.get(stratification)
    fields = [AnalyticBirth.birth_month, *(AnalyticBirth.__table__.c[n] for n in LEVELS)]
    if column:
        fields.append(AnalyticBirth.__table__.c[column])
    frame = fetch_frame(session, select(*fields).where(AnalyticBirth.nnu_admitted.is_(True)))
    keys = ["year"] + ([column] if column else [])
    if frame.empty:
        return pd.DataFrame(columns=[*keys, "babies", *LEVELS.values(), "mean days"])
    frame["year"] = pd.to_datetime(frame["birth_month"]).dt.year
    if column:
        frame[column] = frame[column].fillna("Not recorded").astype(str)
    days = frame[list(LEVELS)].apply(pd.to_numeric).fillna(0)
    days[keys] = frame[keys]
    grouped = days.groupby(keys)
    totals = grouped[list(LEVELS)].sum()
    babies = grouped.size()
    shown = totals[babies > SUPPRESSED_UP_TO]
    table = shown.apply(lambda c: c.astype(int).map(disclose)).rename(columns=LEVELS)
    table["mean days"] = (totals.sum(axis=1) / babies)[babies > SUPPRESSED_UP_TO].round(1)
    table.insert(0, "babies", babies[babies > SUPPRESSED_UP_TO].map(disclose))
    return pd.DataFrame(table.reset_index())
