"""The latest state of every indicator series, read from the stored results, as the alert rules
see it. The evidence a message may carry is built here, after disclosure control: counts
rounded, rates hidden where suppressed, no identifiers (there are none in the results)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from alerts.rules.evaluation import SeriesSnapshot
from service.indicators import store
from service.indicators.catalogue import Catalogue
from service.indicators.months import month_label
from service.indicators.published import shown_rate


def series_snapshots(session: Session, catalogue: Catalogue) -> list[SeriesSnapshot]:
    snapshots = []
    for row in store.series_rows(session):
        indicator = catalogue.indicators.get(row.indicator_id)
        if indicator is None:  # results of an indicator since removed from the catalogue
            continue
        points = store.decode_points(row.points)
        latest = _index_of(points, row.latest_period)
        shown = shown_rate(
            points["numerator"][latest],
            points["denominator"][latest],
            indicator.per,
            points["dq_pass"][latest],
        )
        evidence: dict[str, Any] = {
            "period": row.latest_period,
            "unit": indicator.unit_label,
            **shown,
            "mean": points["centre"][latest],
            "lower_limit": points["lower_limit"][latest],
            "upper_limit": points["upper_limit"][latest],
            "chart": points["chart"],
        }
        window = row.window or {}
        if row.stratification != "overall" and window:
            hidden = window.get("suppressed") or not window.get("dq_pass")
            evidence["window"] = {
                "from": window.get("window_start"),
                "to": window.get("window_end"),
                **shown_rate(
                    int(window["numerator"]),
                    int(window["denominator"]),
                    indicator.per,
                    window.get("dq_pass"),
                ),
                "ratio": None if hidden else window.get("ratio"),
                "ratio_lower": None if hidden else window.get("ratio_lower"),
                "ratio_upper": None if hidden else window.get("ratio_upper"),
                "reference": catalogue.stratifications[row.stratification].reference,
            }
        snapshots.append(
            SeriesSnapshot(
                indicator_id=row.indicator_id,
                indicator_title=indicator.title,
                stratification=row.stratification,
                stratum=row.stratum,
                period=row.latest_period,
                point_type=row.latest_point_type,
                traffic_light=row.window_rag,
                latest_month_complete=points["dq_pass"][-1] is not False,
                evidence=evidence,
                stratification_title=_in_words(catalogue, row.stratification),
                recent_point_types=tuple(
                    reversed(points["point_type"][max(0, latest - 5) : latest + 1])
                ),
            )
        )
    return snapshots


def _index_of(points: dict[str, list[Any]], period: str) -> int:
    labels = [month_label(m) for m in points["month"]]
    return labels.index(period) if period in labels else len(labels) - 1


def _in_words(catalogue: Catalogue, stratification: str) -> str:
    """ "Deprivation quintile (1 = most deprived)" → "deprivation quintile"."""
    known = catalogue.stratifications.get(stratification)
    return known.title.split(" (")[0].lower() if known else stratification
