"""The latest state of every indicator series, read from the stored results, as the alert rules
see it. The evidence a message may carry is built here, after disclosure control: counts
rounded, rates hidden where suppressed, no identifiers (there are none in the results)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from alerts.rules.evaluation import GRADIENT, SeriesSnapshot
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
            # Which Making Data Count rule named each recent special-cause month, and which way
            # is better: what the alert's one line says in words ("rising for 7 months").
            "special_causes": {
                _month(points, i): [points["rule"][i], points["point_type"][i]]
                for i in range(max(0, latest - 5), latest + 1)
                if points["rule"][i]
            },
            "improvement": indicator.improvement,
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
                "reference": group_name(
                    catalogue,
                    row.stratification,
                    catalogue.stratifications[row.stratification].reference or "",
                ),
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
                stratum_title=group_name(catalogue, row.stratification, row.stratum),
                recent_point_types=tuple(
                    reversed(points["point_type"][max(0, latest - 5) : latest + 1])
                ),
                monthly=_monthly(points),
                recent_gap_point_types=tuple(
                    reversed((points.get("gap_point_type") or [])[max(0, latest - 5) : latest + 1])
                ),
            )
        )
    latest_of = {s.indicator_id: s.period for s in snapshots if s.stratification == "overall"}
    for summary in store.gradients(session):
        indicator = catalogue.indicators.get(summary.indicator_id)
        if summary.gradient and indicator is not None and summary.indicator_id in latest_of:
            snapshots.append(
                _gradient_snapshot(catalogue, indicator, summary, latest_of[indicator.id])
            )
    return snapshots


def _month(points: dict[str, list[Any]], i: int) -> str:
    return month_label(points["month"][i])


def _gradient_snapshot(
    catalogue: Catalogue, indicator: Any, summary: Any, period: str
) -> SeriesSnapshot:
    """A stratification's deprivation gradient as a series: red when the SII's interval lies
    wholly on the side where the more deprived fare worse, and so does the RII's where it has
    one. The ratio is the fitted rate at the most deprived end over the least deprived's
    (1 / RII, PHE's RII being least over most)."""
    gradient = summary.gradient or {}
    rii, rii_lower, rii_upper = (gradient.get(k) for k in ("rii", "rii_lower", "rii_upper"))
    ends = [1 / v if v else None for v in (rii, rii_upper, rii_lower)]
    sii_lower, sii_upper = gradient.get("sii_lower"), gradient.get("sii_upper")
    if indicator.better == "lower":  # higher among the more deprived: SII below 0, RII below 1
        worse = sii_upper is not None and sii_upper < 0 and (ends[1] is None or ends[1] > 1)
    elif indicator.better == "higher":
        worse = sii_lower is not None and sii_lower > 0 and (ends[2] is None or ends[2] < 1)
    else:
        worse = False
    evidence: dict[str, Any] = {
        "period": period,
        "unit": indicator.unit_label,
        "gradient": {k: gradient.get(k) for k in ("sii", "sii_lower", "sii_upper", "rii")},
        "window": {"ratio": ends[0], "ratio_lower": ends[1], "ratio_upper": ends[2]},
    }
    return SeriesSnapshot(
        indicator_id=indicator.id,
        indicator_title=indicator.title,
        stratification=summary.stratification,
        stratum=GRADIENT,
        period=period,
        point_type="common_cause",
        traffic_light="red" if worse else "green",
        latest_month_complete=True,
        evidence=evidence,
        stratification_title=_in_words(catalogue, summary.stratification),
    )


def _monthly(points: dict[str, list[Any]]) -> tuple[tuple[int, int], ...]:
    return tuple(
        (_whole(numerator), _whole(denominator))
        for numerator, denominator in zip(points["numerator"], points["denominator"], strict=True)
    )


def _whole(value: Any) -> int:
    return 0 if value is None or value != value else int(value)  # NaN: no count that month


def _index_of(points: dict[str, list[Any]], period: str) -> int:
    labels = [month_label(m) for m in points["month"]]
    return labels.index(period) if period in labels else len(labels) - 1


def group_name(catalogue: Catalogue, stratification: str, stratum: str) -> str:
    """A group in words, as alerts name it (the gradient series too)."""
    if stratum == GRADIENT:
        return "the deprivation gradient"
    known = catalogue.stratifications.get(stratification)
    return known.name_of(stratum) if known else stratum


def _in_words(catalogue: Catalogue, stratification: str) -> str:
    """ "Deprivation quintile (1 = most deprived)" → "deprivation quintile"."""
    known = catalogue.stratifications.get(stratification)
    return known.title.split(" (")[0].lower() if known else stratification
