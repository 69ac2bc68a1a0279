"""Reading the analytic projection into frames for counting (the database edge of the engine).

Stratifier columns come out as text, with the cuts the catalogue uses derived here once: English
or not as the preferred language, interpreter yes/no, deprivation quantiles as "1".."10".
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

import pandas as pd
from sqlalchemy import Boolean, Date, Integer, Numeric, select
from sqlalchemy.orm import Session

from service.storage.bulk import fetch_frame
from service.storage.models import AnalyticBirth, AnalyticBookingWithoutBirth, AnalyticContact

ENGLISH = "en"
QUANTILE_TEXT: dict[float, str] = {
    **{q: str(q) for q in range(1, 11)},
    **{float(q): str(q) for q in range(1, 11)},
}
IDENTIFIERS = {"baby_id", "mother_id", "delivery_id", "contact_id", "family_key", "birth_date"}
DERIVED_BIRTH_FIELDS = {"english"}
FIELDS_BY_TABLE: dict[str, set[str]] = {
    "births": {c.name for c in AnalyticBirth.__table__.columns} | DERIVED_BIRTH_FIELDS,
    "contacts": {c.name for c in AnalyticContact.__table__.columns} | DERIVED_BIRTH_FIELDS,
}
# Nothing the engine reads needs these (and field_sources is a JSON document per row).
SKIPPED = {"field_sources", "family_key", "sources", "deprivation_version", "lsoa_code"}
TABLES = {
    "births": AnalyticBirth,
    "contacts": AnalyticContact,
    # Only NHS England's booking measures read these (service/national/records.py).
    "bookings_without_birth": AnalyticBookingWithoutBirth,
}
NUMERIC_FIELDS = {
    c.name
    for model in TABLES.values()
    for c in model.__table__.columns
    if isinstance(c.type, Integer | Numeric)
}
# Dates a condition compares (`after`), typed as dates rather than coded text.
DATE_FIELDS = {
    c.name
    for c in AnalyticBirth.__table__.columns
    if isinstance(c.type, Date) and c.name not in IDENTIFIERS and not c.name.endswith("_month")
}
BOOLEAN_FIELDS = {
    c.name
    for model in TABLES.values()
    for c in model.__table__.columns
    if isinstance(c.type, Boolean)
}
PERIOD_COLUMNS = {
    "births": "birth_month",
    "contacts": "contact_month",
    "bookings_without_birth": "booking_month",
}


def read_frames(
    session: Session,
    months: Collection[date] | None = None,
    fields: dict[str, set[str]] | None = None,
) -> dict[str, pd.DataFrame]:
    """The projection's births and contacts (only those of `months` when given, and only the
    `fields` each table is read for when given).

    Rows come straight from the driver and are typed here a column at a time."""
    frames: dict[str, pd.DataFrame] = {}
    for table, model in TABLES.items():
        wanted = None if fields is None else _stored_fields(fields.get(table, set()), table)
        columns = [
            c
            for c in model.__table__.columns
            if c.name not in SKIPPED and (wanted is None or c.name in wanted)
        ]
        statement = select(*columns)
        if months is not None:
            period = model.__table__.c[PERIOD_COLUMNS[table]]
            statement = statement.where(period.in_(sorted(months)))
        frame = fetch_frame(session, statement)
        for column in columns:
            if isinstance(column.type, Boolean):
                frame[column.name] = frame[column.name].astype("boolean")
        frames[table] = derive_columns(frame)
    return frames


def _stored_fields(fields: set[str], table: str) -> set[str]:
    """The stored columns behind `fields` (a derived field needs what it derives from)."""
    stored = (fields - DERIVED_BIRTH_FIELDS) | {PERIOD_COLUMNS[table]}
    if fields & DERIVED_BIRTH_FIELDS:
        stored.add("language")
    return stored


def derive_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Type the columns (numbers, months, coded text as categories) and add the derived
    stratifiers; deprivation quantiles and the interpreter flag become the text of their groups."""
    if "language" in frame:
        language = frame["language"]
        frame["english"] = language.where(
            language.isna(), language.eq(ENGLISH).map({True: "English", False: "Not English"})
        )
    if "interpreter_required" in frame:
        interpreter = frame["interpreter_required"]
        frame["interpreter_required"] = interpreter.map({True: "yes", False: "no"})
    stratum_text = {"imd_quintile", "imd_decile", "interpreter_required", "english"}
    for column in frame.columns:
        if column.endswith("_month"):
            frame[column] = pd.to_datetime(frame[column])
        elif column in stratum_text:
            values = (
                frame[column].map(QUANTILE_TEXT) if column.startswith("imd_") else frame[column]
            )
            frame[column] = values.astype("category")
        elif column in DATE_FIELDS:
            frame[column] = pd.to_datetime(frame[column])
        elif column in NUMERIC_FIELDS:
            frame[column] = pd.to_numeric(frame[column])  # all-missing columns come as objects
        elif column not in IDENTIFIERS and column not in BOOLEAN_FIELDS:
            # Coded text as categories: conditions and group-bys compare small integer codes.
            frame[column] = frame[column].astype("category")
    return frame
