"""The indicator catalogue as FHIR `Measure` resources and the computed counts as summary
`MeasureReport`s with a stratifier per stratification. Pure: catalogue entries and count rows
in, resources out. Counts and rates pass through disclosure control here, since a
MeasureReport leaves the service."""

from __future__ import annotations

import calendar
import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from alerts.inequality import disclose
from fhir_mappings.fhir.naming import PRODUCT_BASE
from service.indicators.catalogue import Catalogue, Indicator
from service.indicators.published import shown_rate

MEASURE_BASE = f"{PRODUCT_BASE}/Measure"
STRATIFICATION_SYSTEM = f"{PRODUCT_BASE}/CodeSystem/stratification"
POPULATION_SYSTEM = "http://terminology.hl7.org/CodeSystem/measure-population"
SCORING_SYSTEM = "http://terminology.hl7.org/CodeSystem/measure-scoring"
IMPROVEMENT_SYSTEM = "http://terminology.hl7.org/CodeSystem/measure-improvement-notation"
CONDITION_LANGUAGE = "text/x-perinatal-condition"  # the catalogue's condition maps, as JSON
IMPROVEMENT_CODES = {"lower": "decrease", "higher": "increase"}


def _population_code(code: str) -> dict[str, Any]:
    return {"coding": [{"system": POPULATION_SYSTEM, "code": code}]}


def _criteria(condition: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "description": description,
        "language": CONDITION_LANGUAGE,
        "expression": json.dumps(condition, sort_keys=True),
    }


def measure(indicator: Indicator, catalogue: Catalogue) -> dict[str, Any]:
    """The catalogue entry as a Measure (its conditions kept verbatim as the criteria)."""
    gated = {field: {"recorded": True} for field in indicator.gate_fields}
    resource: dict[str, Any] = {
        "resourceType": "Measure",
        "id": indicator.id.replace("_", "-"),
        "url": f"{MEASURE_BASE}/{indicator.id}",
        "identifier": [{"system": f"{PRODUCT_BASE}/Id/indicator", "value": indicator.id}],
        "version": catalogue.method_version,
        "name": "".join(part.title() for part in indicator.id.split("_")),
        "title": indicator.title,
        "status": "active",
        "description": indicator.description,
        "topic": [{"text": indicator.topic.replace("_", " ")}],
        "scoring": {"coding": [{"system": SCORING_SYSTEM, "code": "proportion"}]},
        "group": [
            {
                "population": [
                    {
                        "code": _population_code("initial-population"),
                        "criteria": _criteria(indicator.population, f"{indicator.unit.id} rows"),
                    },
                    {
                        "code": _population_code("denominator"),
                        "criteria": _criteria(
                            {**gated, **indicator.denominator}, "with the key fields recorded"
                        ),
                    },
                    {
                        "code": _population_code("numerator"),
                        "criteria": _criteria(indicator.numerator, indicator.title),
                    },
                ],
                "stratifier": [
                    {
                        "code": {
                            "coding": [{"system": STRATIFICATION_SYSTEM, "code": s.id}],
                            "text": s.title,
                        },
                        "criteria": {"language": CONDITION_LANGUAGE, "expression": s.column},
                    }
                    for s in catalogue.stratifications.values()
                    if s.column is not None
                    and (s.splits == "both" or s.id in indicator.extra_stratifications)
                ],
            }
        ],
    }
    if indicator.better in IMPROVEMENT_CODES:
        resource["improvementNotation"] = {
            "coding": [{"system": IMPROVEMENT_SYSTEM, "code": IMPROVEMENT_CODES[indicator.better]}]
        }
    return resource


def report_id(indicator_id: str, period: date) -> str:
    return f"{indicator_id.replace('_', '-')}-{period:%Y-%m}"


def measure_report(
    indicator: Indicator,
    catalogue: Catalogue,
    period: date,
    rows: Iterable[dict[str, Any]],
    computed_at: datetime,
) -> dict[str, Any]:
    """The month's summary report: everyone, then each stratification's strata. `rows` are the
    unrounded counts (stratification, stratum, population, complete, denominator, numerator)."""
    by_stratification: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_stratification.setdefault(row["stratification"], []).append(row)
    overall_rows = by_stratification.pop("overall", [])
    everyone = overall_rows[0] if overall_rows else None
    last_day = calendar.monthrange(period.year, period.month)[1]
    group: dict[str, Any] = {}
    if everyone is not None:
        group = _figures(everyone, indicator, catalogue)
    group["stratifier"] = [
        {
            "code": [
                {
                    "coding": [{"system": STRATIFICATION_SYSTEM, "code": name}],
                    "text": catalogue.stratifications[name].title,
                }
            ],
            "stratum": [
                {"value": {"text": row["stratum"]}, **_figures(row, indicator, catalogue)}
                for row in sorted(strata, key=lambda r: r["stratum"])
            ],
        }
        for name, strata in sorted(by_stratification.items())
    ]
    resource: dict[str, Any] = {
        "resourceType": "MeasureReport",
        "id": report_id(indicator.id, period),
        "status": "complete",
        "type": "summary",
        "measure": f"{MEASURE_BASE}/{indicator.id}",
        "date": computed_at.isoformat(),
        "period": {"start": period.isoformat(), "end": period.replace(day=last_day).isoformat()},
        "group": [group],
    }
    if indicator.better in IMPROVEMENT_CODES:
        resource["improvementNotation"] = {
            "coding": [{"system": IMPROVEMENT_SYSTEM, "code": IMPROVEMENT_CODES[indicator.better]}]
        }
    return resource


def _figures(row: dict[str, Any], indicator: Indicator, catalogue: Catalogue) -> dict[str, Any]:
    figures: dict[str, Any] = {
        "population": [
            {"code": _population_code(code), "count": disclose(int(row[column]))}
            for code, column in (
                ("initial-population", "population"),
                ("denominator", "denominator"),
                ("numerator", "numerator"),
            )
        ]
    }
    complete = row["population"] and row["complete"] / row["population"]
    shown = shown_rate(
        int(row["numerator"]),
        int(row["denominator"]),
        indicator.per,
        complete >= catalogue.completeness_threshold,
    )
    if shown["rate"] is not None:
        figures["measureScore"] = {"value": round(shown["rate"], 3), "unit": indicator.unit_label}
    return figures
