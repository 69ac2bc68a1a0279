"""Checking the pipeline against what the synthetic generator planted (`truth.json`): for each
planted event, did the right chart show the expected signal from the right month? Used by the
demo, to show it, and by the tests, to hold it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from service.indicators import store
from service.indicators.catalogue import Catalogue
from service.indicators.months import month_label
from service.storage.models import IndicatorSeries


def series_key(catalogue: Catalogue, indicator_id: str, stratum: dict[str, str]) -> tuple[str, ...]:
    """The stored series a planted event's stratum (projection column → value) names."""
    if not stratum:
        return (indicator_id, "overall", "all")
    (column, value), *_ = stratum.items()
    stratification = next(s.id for s in catalogue.stratifications.values() if s.column == column)
    return (indicator_id, stratification, str(value))


def findings(session: Session, catalogue: Catalogue, truth: dict[str, Any]) -> list[dict[str, Any]]:
    """One line per planted event: the months from its start that show the expected signal."""
    lines = []
    for event in truth["injected_events"]:
        key = series_key(catalogue, event["indicator"], event["stratum"])
        row = session.get(IndicatorSeries, key)
        flagged: list[str] = []
        if row is not None:
            points = store.decode_points(row.points)
            flagged = [
                month_label(month)
                for month, kind in zip(points["month"], points["point_type"], strict=True)
                if kind == event["expected_signal"] and month_label(month) >= event["start_month"]
            ]
        lines.append(
            {
                "id": event["id"],
                "series": "/".join(key),
                "expected_signal": event["expected_signal"],
                "start_month": event["start_month"],
                "months_flagged": flagged,
                "found": bool(flagged),
            }
        )
    return lines
