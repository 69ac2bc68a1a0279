"""NHS England's CQIMs as FHIR: each measure a `Measure`, each figure (a measure, a provider and
a window) a summary `MeasureReport` whose reporter is the provider. Pure: catalogue entries and
figures in, resources out.

The figures leave the service here, so the counts pass through the product's disclosure control
(`alerts.inequality.disclose`: 1–7 shown as 5, others to the nearest 5) as the indicator reports
do, and the score is withheld where the counts are too small to publish. A rate a data-quality
gate withholds has no `measureScore`; the reason is in the group's `withheld-reason` extension.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from fhir_mappings.fhir.naming import PRODUCT_BASE
from service.indicators.fhir_measures import (
    CONDITION_LANGUAGE,
    IMPROVEMENT_SYSTEM,
    MEASURE_BASE,
    POPULATION_SYSTEM,
    SCORING_SYSTEM,
)
from service.national.cqim import Cqim, NationalFigure
from service.national.disclosed import shown_figure

ODS_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"
WITHHELD_REASON = f"{PRODUCT_BASE}/StructureDefinition/withheld-reason"
SOURCE = "NHS England, Maternity Services Monthly Statistics: Clinical Quality Improvement Metrics"
UNIT_WORDS = {"baby": "babies", "mother": "mothers"}


def cqim_measure(cqim: Cqim) -> dict[str, Any]:
    """The CQIM as a Measure, its denominator and numerator kept verbatim as the criteria."""
    resource: dict[str, Any] = {
        "resourceType": "Measure",
        "id": cqim.id,
        "url": f"{MEASURE_BASE}/{cqim.id}",
        "identifier": [{"system": f"{PRODUCT_BASE}/Id/national-measure", "value": cqim.id}],
        "name": cqim.id,
        "title": cqim.title,
        "status": "active" if cqim.not_computed is None else "draft",
        "publisher": "NHS England (definition); computed by this product",
        "description": f"{cqim.title}. Distinct {UNIT_WORDS[cqim.unit]}, per provider, dated by "
        f"{cqim.dated_by.replace('_', ' ')}. Source: {SOURCE}.",
        "scoring": {"coding": [{"system": SCORING_SYSTEM, "code": "proportion"}]},
        **_improvement(cqim),
        "group": [
            {
                "population": [
                    _population("denominator", cqim.denominator or {}),
                    _population("numerator", cqim.numerator or {}),
                ]
            }
        ],
    }
    return resource


def cqim_report(cqim: Cqim, figure: NationalFigure, computed_at: datetime) -> dict[str, Any]:
    shown = shown_figure(cqim, figure)
    counts = (("denominator", shown.denominator), ("numerator", shown.numerator))
    group: dict[str, Any] = {
        "population": [
            {"code": _code(code), "count": count} for code, count in counts if count is not None
        ]
    }
    if shown.rate is not None:
        group["measureScore"] = {"value": round(shown.rate, 1), "unit": f"per {cqim.per:,}"}
    if shown.withheld_because:
        group["extension"] = [{"url": WITHHELD_REASON, "valueString": shown.withheld_because}]
    return {
        "resourceType": "MeasureReport",
        "id": report_id(figure),
        "status": "complete",
        "type": "summary",
        "measure": f"{MEASURE_BASE}/{cqim.id}",
        "date": computed_at.isoformat(),
        "reporter": {
            "identifier": {"system": ODS_SYSTEM, "value": figure.org_code},
            "display": f"Provider {figure.org_code}",
        },
        "period": {
            "start": figure.period_start.isoformat(),
            "end": figure.period_end.isoformat(),
        },
        **_improvement(cqim),
        "group": [group],
    }


def report_id(figure: NationalFigure) -> str:
    """Unique per measure, provider and window; FHIR ids allow letters, digits, '-' and '.'."""
    return (
        f"{figure.measure}-{figure.org_code}-"
        f"{figure.period_start:%Y%m%d}-{figure.period_end:%Y%m%d}"
    )


def reports_bundle(
    cqims: list[Cqim], figures: list[NationalFigure], computed_at: datetime
) -> dict[str, Any]:
    by_id = {c.id: c for c in cqims}
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": computed_at.isoformat(),
        "entry": [
            {
                "fullUrl": f"{PRODUCT_BASE}/MeasureReport/{report_id(f)}",
                "resource": cqim_report(by_id[f.measure], f, computed_at),
            }
            for f in figures
        ],
    }


def _improvement(cqim: Cqim) -> dict[str, Any]:
    """`improvementNotation` where the catalogue says which way is better (not for the Robson
    groups' caesarean rates, which NHS England publishes without a direction)."""
    if cqim.better is None:
        return {}
    code = {"higher": "increase", "lower": "decrease"}[cqim.better]
    return {"improvementNotation": {"coding": [{"system": IMPROVEMENT_SYSTEM, "code": code}]}}


def _code(code: str) -> dict[str, Any]:
    return {"coding": [{"system": POPULATION_SYSTEM, "code": code}]}


def _population(code: str, condition: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": _code(code),
        "criteria": {
            "language": CONDITION_LANGUAGE,
            "expression": json.dumps(condition, sort_keys=True),
        },
    }
