"""Where indicator results live: the counts, the series and summaries computed from them, the
runs that wrote them, the months waiting to be recounted and the interventions. The database
edge of the indicator engine; everything here is reads and writes, no statistics."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date
from typing import Any

import numpy as np
import orjson
import pandas as pd
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from service.indicators.charts import Rebase
from service.indicators.counting import COUNT_COLUMNS, KEY_COLUMNS
from service.indicators.statistics import Results
from service.storage.bulk import fetch_frame, insert_rows
from service.storage.models import (
    IndicatorCount,
    IndicatorRun,
    IndicatorSeries,
    IndicatorStaleMonth,
    IndicatorStratification,
    Intervention,
)


def stale_months(session: Session) -> set[date]:
    return set(session.scalars(select(IndicatorStaleMonth.period)))


def forget_stale_months(session: Session, months: Collection[date]) -> None:
    """Remove the months this run recounted; months queued meanwhile stay queued."""
    ordered = sorted(months)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        session.execute(delete(IndicatorStaleMonth).where(IndicatorStaleMonth.period.in_(chunk)))


def replace_counts(
    session: Session, counts: pd.DataFrame, run_id: int, months: Collection[date] | None
) -> None:
    """Store these counts in place of those of `months` (of every month when None)."""
    if months is None:
        session.execute(delete(IndicatorCount))
    else:
        ordered = sorted(months)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            session.execute(delete(IndicatorCount).where(IndicatorCount.period.in_(chunk)))
    if counts.empty:
        return
    frame = counts[[*KEY_COLUMNS, *COUNT_COLUMNS]].copy()
    frame["period"] = pd.to_datetime(frame["period"]).dt.strftime("%Y-%m-%d")
    frame["run_id"] = run_id
    for name in COUNT_COLUMNS:
        frame[name] = frame[name].astype(int)
    # Straight to the driver (COPY on PostgreSQL): a full run writes a row per series and month.
    insert_rows(
        session,
        IndicatorCount.__tablename__,
        list(frame.columns),
        list(frame.itertuples(index=False, name=None)),
    )


def read_counts(session: Session) -> pd.DataFrame:
    columns = [IndicatorCount.__table__.c[name] for name in (*KEY_COLUMNS, *COUNT_COLUMNS)]
    frame = fetch_frame(session, select(*columns))
    # A few hundred distinct months among 100,000s of rows: parse each once.
    codes, months = pd.factorize(frame["period"])
    frame["period"] = pd.to_datetime(pd.Index(months)).take(codes)
    for name in COUNT_COLUMNS:
        frame[name] = frame[name].astype(np.int64)
    return frame


def replace_results(session: Session, results: Results, run_id: int) -> None:
    """Every series and stratification summary of this run in place of the last run's: rows
    are updated where they stand (rewriting a run's 20-odd MB in place costs less than deleting
    and inserting it), and series that no longer exist are removed."""
    series = [
        {
            **{k: v for k, v in record.items() if k != "points"},
            "points": encode_points(record["points"]),
            "run_id": run_id,
        }
        for record in results.series
    ]
    _upsert(session, IndicatorSeries, series)
    _upsert(
        session,
        IndicatorStratification,
        [{**record, "run_id": run_id} for record in results.stratifications],
    )


def _upsert(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    table = model.__table__
    keys = [column.name for column in table.primary_key.columns]
    wanted = {tuple(row[k] for k in keys) for row in rows}
    stored = {tuple(row) for row in session.execute(select(*table.primary_key.columns))}
    for gone in stored - wanted:
        session.execute(
            delete(table).where(*(table.c[k] == v for k, v in zip(keys, gone, strict=True)))
        )
    if not rows:
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=keys,
        set_={c.name: statement.excluded[c.name] for c in table.columns if c.name not in keys},
    )
    for start in range(0, len(rows), 2_000):
        session.execute(statement, rows[start : start + 2_000])


def encode_points(points: dict[str, Any]) -> str:
    return orjson.dumps(
        {name: _json_column(column) for name, column in points.items()},
        option=orjson.OPT_SERIALIZE_NUMPY,
    ).decode()


def _json_column(column: Any) -> Any:
    # Object columns hold text, booleans and None (never NaN); numeric ones go to orjson as
    # arrays, which writes NaN as null.
    if isinstance(column, np.ndarray) and column.dtype == object:
        return column.tolist()
    return column


def decode_points(text: str) -> dict[str, list[Any]]:
    return orjson.loads(text)  # type: ignore[no-any-return]


def rebases(session: Session) -> list[Rebase]:
    return [
        Rebase(i.indicator_id, i.stratification, i.stratum, i.started_on)
        for i in session.scalars(select(Intervention).where(Intervention.rebase.is_(True)))
    ]


def series_rows(
    session: Session, indicator_id: str | None = None, stratification: str | None = None
) -> Iterable[IndicatorSeries]:
    statement = select(IndicatorSeries).order_by(
        IndicatorSeries.indicator_id, IndicatorSeries.stratification, IndicatorSeries.stratum
    )
    if indicator_id is not None:
        statement = statement.where(IndicatorSeries.indicator_id == indicator_id)
    if stratification is not None:
        statement = statement.where(IndicatorSeries.stratification == stratification)
    return session.scalars(statement)


def add_intervention(session: Session, intervention: Intervention) -> Intervention:
    session.add(intervention)
    session.flush()
    return intervention


def interventions(session: Session, indicator_id: str | None = None) -> list[Intervention]:
    statement = select(Intervention).order_by(Intervention.started_on, Intervention.id)
    if indicator_id is not None:
        statement = statement.where(Intervention.indicator_id == indicator_id)
    return list(session.scalars(statement))


def gradients(session: Session) -> list[IndicatorStratification]:
    """The stratification summaries with a deprivation gradient (SII and RII)."""
    return list(
        session.scalars(
            select(IndicatorStratification)
            .where(IndicatorStratification.gradient.is_not(None))
            .order_by(IndicatorStratification.indicator_id, IndicatorStratification.stratification)
        )
    )


def latest_run(session: Session) -> IndicatorRun | None:
    return session.scalars(
        select(IndicatorRun).where(IndicatorRun.status == "done").order_by(IndicatorRun.id.desc())
    ).first()
