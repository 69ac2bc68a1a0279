"""What triage needs to know of the indicators, read from the catalogue (the edge between the
catalogue and the pure triage engine)."""

from __future__ import annotations

import json

from alerts.triage.judgement import IndicatorFacts
from service.indicators.catalogue import Catalogue


def indicator_facts(catalogue: Catalogue) -> dict[str, IndicatorFacts]:
    """Each indicator's worse side, unit and whom it counts: two indicators with the same unit,
    population and denominator conditions count the same people."""
    return {
        indicator.id: IndicatorFacts(
            better=indicator.better if indicator.better in ("lower", "higher") else None,
            per=indicator.per,
            denominator=json.dumps(
                [str(indicator.unit), indicator.population, indicator.denominator],
                sort_keys=True,
                default=str,
            ),
            window_months=catalogue.window_of(indicator.id),
        )
        for indicator in catalogue.indicators.values()
    }


def references(catalogue: Catalogue) -> dict[str, str]:
    return {s.id: s.reference for s in catalogue.stratifications.values() if s.reference}
