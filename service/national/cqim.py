"""NHS England's CQIMs over the analytic projection: the catalogue (`cqim.yaml`) read and
checked, and the figures of each measure per provider over a window. Pure: the records (births,
and bookings without a birth) are read by the caller (`records.py`).

A provider is the trust part (the first three characters) of the delivery site's ODS code: an
NHS trust's site codes are its own code followed by two characters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import yaml

from service.indicators.catalogue import load_catalogue
from service.indicators.conditions import check, fields_of, mask
from service.indicators.projection_frames import FIELDS_BY_TABLE
from service.national.breakdowns import Breakdown
from service.national.quality_gates import (
    UNIT_IDS,
    QualityMeasure,
    gate_reason,
    load_quality_measures,
    quality_results,
)
from service.national.quality_gates import fields_read as quality_fields

CATALOGUE_FILE = Path(__file__).with_name("cqim.yaml")


@dataclass(frozen=True)
class Cqim:
    id: str
    title: str
    unit: Literal["baby", "mother"] = "baby"
    denominator: dict[str, Any] | None = None
    numerator: dict[str, Any] | None = None
    per: int = 1000
    better: Literal["lower", "higher"] | None = None  # None: published without a direction
    indicator: str | None = None  # the product's own indicator nearest it, charted by group
    # Which date puts a record in the window: the birth, or the booking appointment (NHS
    # England counts CQIMSmokingBooking over the women booked in the month).
    dated_by: Literal["birth_date", "booking_date"] = "birth_date"
    # NHS England's data-quality measures (cqim_quality.yaml) that must all pass to publish.
    quality: tuple[str, ...] = ()
    # Fields some record at the provider must hold for the figure to mean anything: where the
    # input never carries one (the reference extract has no previous caesareans), NHS England's
    # "not recorded counts as none" would count every woman, so the figure is not computed.
    needs_recorded: tuple[str, ...] = ()
    not_computed: str | None = None  # why the product cannot compute it yet


@dataclass(frozen=True)
class NationalFigure:
    measure: str
    org_code: str
    period_start: date
    period_end: date
    numerator: int | None
    denominator: int | None
    rate: float | None
    published: bool
    reason: str  # why the rate is withheld; blank when published
    group: str = ""  # the national breakdown group counted, when broken down

    def as_row(self) -> dict[str, Any]:
        return {
            "measure": self.measure,
            "org_code": self.org_code,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "numerator": self.numerator,
            "denominator": self.denominator,
            "rate": self.rate,
            "published": self.published,
            "reason": self.reason,
        }


def load_cqims(path: Path = CATALOGUE_FILE) -> list[Cqim]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    fields = FIELDS_BY_TABLE["births"]
    indicators = load_catalogue().indicators
    gates = load_quality_measures()
    measures = []
    for spec in document["measures"]:
        measure = Cqim(
            **{
                **spec,
                "quality": tuple(spec.get("quality", ())),
                "needs_recorded": tuple(spec.get("needs_recorded", ())),
            }
        )
        if measure.indicator is not None and measure.indicator not in indicators:
            raise ValueError(f"{measure.id}: no indicator {measure.indicator!r} in the catalogue")
        if measure.not_computed is None:
            for part in ("denominator", "numerator"):
                check(getattr(measure, part) or {}, fields, f"{measure.id} {part}")
        for field in measure.needs_recorded:
            if field not in fields:
                raise ValueError(f"{measure.id} needs_recorded: unknown field {field!r}")
        for gate in measure.quality:
            if gate not in gates:
                raise ValueError(f"{measure.id} quality: no data-quality measure {gate!r}")
        measures.append(measure)
    return measures


def gates_of(measures: list[Cqim]) -> list[QualityMeasure]:
    """The data-quality measures these CQIMs list, each once."""
    catalogue = load_quality_measures()
    return [catalogue[i] for i in dict.fromkeys(g for m in measures for g in m.quality)]


def fields_read(measures: list[Cqim]) -> set[str]:
    """The births fields `national_figures` reads for these measures."""
    fields = {"site_code", *UNIT_IDS.values()} | quality_fields(gates_of(measures))
    for measure in measures:
        fields |= {measure.dated_by, *measure.needs_recorded}
        fields |= fields_of(measure.denominator or {}) | fields_of(measure.numerator or {})
    return fields


def provider_of(site_code: pd.Series) -> pd.Series:
    return site_code.astype("string").str[:3]


def national_figures(
    records: pd.DataFrame,
    measures: list[Cqim],
    period_start: date,
    period_end: date,
    breakdown: Breakdown | None = None,
    hes_deliveries: Mapping[str, int] | None = None,
) -> list[NationalFigure]:
    """One figure per measure and provider over the `records` (the births, and the bookings
    without a birth: `records.py`) each measure dates from
    `period_start` to `period_end` (by birth, or by booking), for every provider with a record
    so dated; rows for a measure not yet computed say why. With a `breakdown`, one figure per
    group of it that has a record at the provider, in the published order.

    The data-quality gates are NHS England's for the reporting month `period_end` falls in,
    each over its own window (`cqim_quality.yaml`); a withheld provider is withheld in every
    group. `hes_deliveries` is each provider's HES annual deliveries."""
    providers = provider_of(records["site_code"])
    reporting_month = pd.Period(period_end, "M")
    withheld = gate_reasons(records, measures, providers, [reporting_month], hes_deliveries)
    in_window = {
        field: _dated_in(records, field, period_start, period_end)
        for field in {m.dated_by for m in measures}
    }
    seen = pd.Series(False, index=records.index)
    for dated in in_window.values():
        seen |= dated
    groups = breakdown.groups_of(records) if breakdown else pd.Series("", index=records.index)
    order = breakdown.order if breakdown else [""]
    figures = []
    for org_code in sorted(providers[seen.to_numpy()].dropna().unique()):
        at_provider = (providers == org_code).fillna(False).to_numpy()
        present = set(groups[at_provider & seen.to_numpy()])
        for measure in measures:
            dated = at_provider & in_window[measure.dated_by].to_numpy()
            reason = (
                unrecorded(records[dated], measure)
                or withheld[(measure.id, str(org_code), reporting_month)]
            )
            for group in (g for g in order if g in present):
                counted = records[dated & (groups == group).to_numpy()]
                figure = figure_of(
                    counted, measure, str(org_code), period_start, period_end, reason
                )
                figures.append(replace(figure, group=group))
    return figures


def _dated_in(births: pd.DataFrame, field: str, start: date, end: date) -> pd.Series:
    when = pd.to_datetime(births[field], errors="coerce")
    return ((when >= pd.Timestamp(start)) & (when <= pd.Timestamp(end))).fillna(False)


def gate_reasons(
    births: pd.DataFrame,
    measures: list[Cqim],
    providers: pd.Series,
    reporting_months: list[pd.Period],
    hes_deliveries: Mapping[str, int] | None,
) -> dict[tuple[str, str, pd.Period], str]:
    """Why each measure is withheld per provider and reporting month ("" where published)."""
    gates = gates_of(measures)
    catalogue = {gate.id: gate for gate in gates}
    results = quality_results(births, gates, providers, reporting_months, hes_deliveries or {})
    return {
        (measure.id, str(org_code), month): gate_reason(
            measure.quality, results, catalogue, str(org_code), month
        )
        for measure in measures
        for org_code in providers.dropna().unique()
        for month in reporting_months
    }


def unrecorded(births: pd.DataFrame, measure: Cqim) -> str:
    """Why the measure is not computed over these records of a provider ("" where it is)."""
    missing = [f for f in measure.needs_recorded if not births[f].notna().any()]
    if not missing:
        return ""
    named = " or ".join(f.replace("_", " ") for f in missing)
    them = "them" if len(missing) > 1 else "it"
    return (
        f"not computed: no record at the provider gives {named} (its input does not carry {them})"
    )


def figure_of(
    births: pd.DataFrame,
    measure: Cqim,
    org_code: str,
    start: date,
    end: date,
    gate: str = "",
) -> NationalFigure:
    """The measure's figure over `births`; `gate` is why its data-quality gate withholds it."""
    if measure.not_computed:
        return NationalFigure(measure.id, org_code, start, end, None, None, None, False,
                              f"not computed: {measure.not_computed}")  # fmt: skip
    unit = UNIT_IDS[measure.unit]
    base = births[mask(births, measure.denominator or {})]
    counted = base[mask(base, measure.numerator or {})]
    denominator = int(base[unit].nunique())
    numerator = int(counted[unit].nunique())
    rate = round(numerator / denominator * measure.per, 1) if denominator else None
    # A failing gate is the reason even with nothing counted, as NHS England reports "low data
    # quality" rather than "did not submit" for a provider whose records it holds.
    reason = gate or ("no births in the denominator" if denominator == 0 else "")
    return NationalFigure(
        measure.id, org_code, start, end, numerator, denominator, rate, not reason, reason
    )
