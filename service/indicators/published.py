"""Indicator results as they may leave the service: counts rounded and small numbers suppressed
(the disclosure rule), rates hidden where their numerator is suppressed, their denominator is
under 10 or their key fields fail the completeness gate. SPC and comparisons were decided on the
unrounded counts; only what is shown is controlled here.

These views are what the API, the command line and the dashboard read.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.inequality import disclose_rate
from alerts.inequality.disclosure import MINIMUM_DENOMINATOR
from alerts.inequality.funnel import funnel_limits
from alerts.spc import assurance
from service.indicators import store
from service.indicators.catalogue import Catalogue, Indicator
from service.indicators.counting import NOT_RECORDED
from service.indicators.errors import InvalidRequestError, NotFoundError
from service.indicators.interventions import before_after
from service.indicators.months import month_label
from service.indicators.notes import notes_for
from service.storage.models import IndicatorCount, IndicatorSeries, Intervention


def shown_rate(numerator: int, denominator: int, per: int, dq_pass: bool | None) -> dict[str, Any]:
    """Published numerator, denominator and rate (None with the reason when not shown)."""
    disclosed = disclose_rate(numerator, denominator, per)
    reason = disclosed.reason
    rate = disclosed.rate
    if dq_pass is False:
        rate, reason = None, "key fields too incomplete"
    return {
        "numerator": disclosed.numerator,
        "denominator": disclosed.denominator,
        "rate": rate,
        "not_shown_because": reason if rate is None else None,
    }


def shown_completeness(completeness: float | None, population: int) -> float | None:
    """Completeness to the whole percent, and none for a population under 10: the exact share
    of a small population would give away its size."""
    if completeness is None or population < MINIMUM_DENOMINATOR:
        return None
    return round(completeness, 2)


def describe(indicator: Indicator) -> dict[str, Any]:
    return {
        "id": indicator.id,
        "title": indicator.title,
        "description": indicator.description,
        "unit": indicator.unit_label,
        "per": indicator.per,
        "better": indicator.better,
        "topic": indicator.topic,
        "sources": list(indicator.sources),
        "target": None
        if indicator.target is None
        else {"value": indicator.target.value, "source": indicator.target.source},
    }


def overview(session: Session, catalogue: Catalogue) -> list[dict[str, Any]]:
    """One line per indicator: the overall chart's latest point and the window's figures, and
    the worst traffic light across its groups."""
    by_indicator: dict[str, list[IndicatorSeries]] = {}
    for row in store.series_rows(session):
        by_indicator.setdefault(row.indicator_id, []).append(row)
    lines = []
    for indicator in catalogue.indicators.values():
        rows = by_indicator.get(indicator.id, [])
        overall = next((r for r in rows if r.stratification == "overall"), None)
        red = [f"{r.stratification}={r.stratum}" for r in rows if r.window_rag == "red"]
        line = describe(indicator)
        line["computed"] = overall is not None
        if overall is not None:
            line |= {
                "latest_period": overall.latest_period,
                "variation": overall.latest_point_type,
                # Decoding a whole chart is the cost: only charts with a target need it.
                "assurance": assurance_of(store.decode_points(overall.points), indicator)
                if indicator.target
                else None,
                "trial_limits": overall.trial_limits,
                "window": _window(overall.window, indicator),
                "worst_disparity": "red" if red else _worst(rows),
                "red_groups": red,
            }
        lines.append(line)
    return lines


def assurance_of(points: dict[str, list[Any]], indicator: Indicator) -> str | None:
    """MDC assurance of a stored chart against the indicator's target, from the latest limits;
    None without a target or limits."""
    if indicator.target is None:
        return None
    limits = [
        (upper, lower)
        for upper, lower in zip(points["upper_limit"], points["lower_limit"], strict=True)
        if upper is not None and lower is not None
    ]
    if not limits:
        return None
    upper, lower = limits[-1]
    latest = pd.DataFrame({"upl": [upper], "lpl": [lower]})
    return assurance(latest, indicator.target.value, indicator.improvement)  # type: ignore[arg-type]


def _worst(rows: list[IndicatorSeries]) -> str | None:
    lights = {r.window_rag for r in rows}
    return next((light for light in ("red", "amber", "green") if light in lights), None)


def _window(window: dict[str, Any], indicator: Indicator) -> dict[str, Any]:
    shown = shown_rate(
        int(window["numerator"]), int(window["denominator"]), indicator.per, window["dq_pass"]
    )
    hidden = shown["rate"] is None
    return {
        "from": window["window_start"],
        "to": window["window_end"],
        **shown,
        "ci_lower": None if hidden else window["ci_lower"],
        "ci_upper": None if hidden else window["ci_upper"],
        "completeness": shown_completeness(window["completeness"], int(window["population"])),
        "ratio": None if hidden else window["ratio"],
        "ratio_lower": None if hidden else window["ratio_lower"],
        "ratio_upper": None if hidden else window["ratio_upper"],
        "traffic_light": window["rag"],
        "reference": bool(window.get("is_reference")),
    }


def series_view(
    session: Session, catalogue: Catalogue, indicator_id: str, stratification: str = "overall"
) -> dict[str, Any]:
    """Every stratum's monthly chart of one indicator and stratification, disclosed, with the
    interventions that mark it."""
    indicator = catalogue.indicator(indicator_id)
    if stratification not in catalogue.stratifications:
        raise NotFoundError(f"unknown stratification {stratification!r}")
    strata = []
    for row in store.series_rows(session, indicator_id, stratification):
        points = store.decode_points(row.points)
        strata.append(
            {
                "stratum": row.stratum,
                "name": catalogue.stratifications[stratification].name_of(row.stratum),
                "latest_period": row.latest_period,
                "variation": row.latest_point_type,
                "assurance": assurance_of(points, indicator),
                "trial_limits": row.trial_limits,
                "window": _window(row.window, indicator),
                "months": _months(points, indicator),
            }
        )
    marks = [
        intervention_view(i)
        for i in store.interventions(session, indicator_id)
        if i.stratification == stratification
    ]
    return {
        "indicator": describe(indicator),
        "stratification": stratification,
        "reference": catalogue.stratifications[stratification].reference,
        "reference_name": catalogue.stratifications[stratification].name_of(
            catalogue.stratifications[stratification].reference or ""
        ),
        "strata": strata,
        "interventions": marks,
        "notes": notes_for(session, indicator_id),
    }


def _months(points: dict[str, list[Any]], indicator: Indicator) -> list[dict[str, Any]]:
    months = []
    for i, month in enumerate(points["month"]):
        shown = shown_rate(
            points["numerator"][i], points["denominator"][i], indicator.per, points["dq_pass"][i]
        )
        hidden = shown["rate"] is None
        months.append(
            {
                "period": month_label(month),
                **shown,
                "ci_lower": None if hidden else points["ci_lower"][i],
                "ci_upper": None if hidden else points["ci_upper"][i],
                "completeness": shown_completeness(
                    points["completeness"][i], points["population"][i]
                ),
                "centre": points["centre"][i],
                "lower_limit": points["lower_limit"][i],
                "upper_limit": points["upper_limit"][i],
                "point_type": points["point_type"][i],
                "rule": points["rule"][i],
                "rebase_group": points["rebase_group"][i],
                "traffic_light": points["rag"][i],
                **_gap(points, i, hidden),
            }
        )
    return months


def _gap(points: dict[str, list[Any]], i: int, hidden: bool) -> dict[str, Any]:
    """The month on the gap chart: the group's rate minus the reference's, with the gap's
    mean, limits and point type (none where the group's rate is not shown, as the difference
    would give it away)."""
    if "gap_point_type" not in points:  # results computed before gap charts existed
        return {}
    return {
        "gap": None if hidden else points["difference"][i],
        "gap_centre": points["gap_centre"][i],
        "gap_lower": points["gap_lower"][i],
        "gap_upper": points["gap_upper"][i],
        "gap_point_type": points["gap_point_type"][i],
    }


def intervention_view(intervention: Intervention) -> dict[str, Any]:
    return {
        "id": intervention.id,
        "indicator": intervention.indicator_id,
        "stratification": intervention.stratification,
        "stratum": intervention.stratum,
        "date": intervention.started_on.isoformat(),
        "description": intervention.description,
        "owner": intervention.owner,
        "rebase": intervention.rebase,
        "recorded_at": intervention.recorded_at.isoformat(),
    }


def intervention_report(
    session: Session, catalogue: Catalogue, intervention_id: int
) -> dict[str, Any]:
    intervention = session.get(Intervention, intervention_id)
    if intervention is None:
        raise NotFoundError(f"no intervention {intervention_id}")
    indicator = catalogue.indicator(intervention.indicator_id)
    row = session.get(
        IndicatorSeries,
        (intervention.indicator_id, intervention.stratification, intervention.stratum),
    )
    report: dict[str, Any] = {"intervention": intervention_view(intervention), "report": None}
    if row is not None:
        result = before_after(
            store.decode_points(row.points),
            intervention.started_on,
            improvement=indicator.improvement,  # type: ignore[arg-type]
            per=indicator.per,
        )
        report["report"] = asdict(result)
    return report


def validate_intervention(
    catalogue: Catalogue, indicator_id: str, stratification: str, stratum: str, started_on: date
) -> None:
    catalogue.indicator(indicator_id)
    if stratification not in catalogue.stratifications:
        raise InvalidRequestError(f"stratification: unknown {stratification!r}")
    if stratification == "overall" and stratum != "all":
        raise InvalidRequestError("stratum: the overall chart has the single stratum 'all'")
    if stratification != "overall" and not stratum:
        raise InvalidRequestError(f"stratum: name the {stratification} group it is for")


def funnel_view(
    session: Session,
    catalogue: Catalogue,
    indicator_id: str,
    stratification: str,
    first: date,
    last: date,
) -> dict[str, Any]:
    """Funnel limits across one stratification's groups for the months `first`..`last`
    (inclusive), with each group's counts disclosed and whether it is an outlier."""
    indicator = catalogue.indicator(indicator_id)
    if stratification not in catalogue.stratifications or stratification == "overall":
        raise InvalidRequestError(
            f"stratification: a stratification with groups, not {stratification!r}"
        )
    if last < first:
        raise InvalidRequestError("to: the period ends before it starts")
    rows = session.execute(
        select(
            IndicatorCount.stratum,
            func.sum(IndicatorCount.numerator),
            func.sum(IndicatorCount.denominator),
        )
        .where(
            IndicatorCount.indicator_id == indicator_id,
            IndicatorCount.stratification == stratification,
            IndicatorCount.period >= first,
            IndicatorCount.period <= last,
            IndicatorCount.stratum != NOT_RECORDED,
        )
        .group_by(IndicatorCount.stratum)
        .order_by(IndicatorCount.stratum)
    ).all()
    groups = [(str(s), int(x), int(n)) for s, x, n in rows if n]
    view: dict[str, Any] = {
        "indicator": describe(indicator),
        "stratification": stratification,
        "from": first.isoformat()[:7],
        "to": last.isoformat()[:7],
        "groups": [],
    }
    if len(groups) < 2:
        return view
    funnel = funnel_limits([x for _, x, _ in groups], [n for _, _, n in groups])
    per = indicator.per
    view["target"] = funnel["target"] * per
    view["overdispersion"] = {"phi": funnel["phi"], "tau2": funnel["tau2"]}
    for i, (stratum, x, n) in enumerate(groups):
        shown = shown_rate(x, n, per, None)
        hidden = shown["rate"] is None
        view["groups"].append(
            {
                "stratum": stratum,
                "name": catalogue.stratifications[stratification].name_of(stratum),
                **shown,
                "lcl95": funnel["lcl95"][i] * per,
                "ucl95": funnel["ucl95"][i] * per,
                "lcl998": funnel["lcl998"][i] * per,
                "ucl998": funnel["ucl998"][i] * per,
                "outlier": None if hidden else bool(funnel["outlier"][i]),
            }
        )
    return view
