"""NHS England's CQIMs over the analytic projection: the catalogue (`cqim.yaml`) read and
checked, and the figures of each measure per provider over a window. Pure: the births frame is
read by the caller.

A provider is the trust part (the first three characters) of the delivery site's ODS code: an
NHS trust's site codes are its own code followed by two characters.
"""

from __future__ import annotations

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

CATALOGUE_FILE = Path(__file__).with_name("cqim.yaml")
UNIT_IDS = {"baby": "baby_id", "mother": "mother_id"}


@dataclass(frozen=True)
class QualityGate:
    fields: tuple[str, ...]
    min_share: float


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
    quality: QualityGate | None = None
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
    measures = []
    for spec in document["measures"]:
        quality = spec.pop("quality", None)
        measure = Cqim(**spec, quality=QualityGate(**quality) if quality else None)
        if measure.indicator is not None and measure.indicator not in indicators:
            raise ValueError(f"{measure.id}: no indicator {measure.indicator!r} in the catalogue")
        if measure.not_computed is None:
            for part in ("denominator", "numerator"):
                check(getattr(measure, part) or {}, fields, f"{measure.id} {part}")
            for field in measure.quality.fields if measure.quality else ():
                if field not in fields:
                    raise ValueError(f"{measure.id} quality: unknown field {field!r}")
        measures.append(measure)
    return measures


def fields_read(measures: list[Cqim]) -> set[str]:
    """The births fields `national_figures` reads for these measures."""
    fields = {"site_code", *UNIT_IDS.values()}
    for measure in measures:
        fields |= {measure.dated_by, *(measure.quality.fields if measure.quality else ())}
        fields |= fields_of(measure.denominator or {}) | fields_of(measure.numerator or {})
    return fields


def provider_of(site_code: pd.Series) -> pd.Series:
    return site_code.astype("string").str[:3]


def national_figures(
    births: pd.DataFrame,
    measures: list[Cqim],
    period_start: date,
    period_end: date,
    breakdown: Breakdown | None = None,
) -> list[NationalFigure]:
    """One figure per measure and provider over the `births` each measure dates from
    `period_start` to `period_end` (by birth, or by booking), for every provider with a record
    so dated; rows for a measure not yet computed say why. With a `breakdown`, one figure per
    group of it that has a record at the provider, in the published order."""
    providers = provider_of(births["site_code"])
    in_window = {
        field: _dated_in(births, field, period_start, period_end)
        for field in {m.dated_by for m in measures}
    }
    seen = pd.Series(False, index=births.index)
    for dated in in_window.values():
        seen |= dated
    groups = breakdown.groups_of(births) if breakdown else pd.Series("", index=births.index)
    order = breakdown.order if breakdown else [""]
    figures = []
    for org_code in sorted(providers[seen.to_numpy()].dropna().unique()):
        at_provider = (providers == org_code).fillna(False).to_numpy()
        present = set(groups[at_provider & seen.to_numpy()])
        for measure in measures:
            dated = at_provider & in_window[measure.dated_by].to_numpy()
            for group in (g for g in order if g in present):
                counted = births[dated & (groups == group).to_numpy()]
                figure = figure_of(counted, measure, str(org_code), period_start, period_end)
                figures.append(replace(figure, group=group))
    return figures


def _dated_in(births: pd.DataFrame, field: str, start: date, end: date) -> pd.Series:
    when = pd.to_datetime(births[field], errors="coerce")
    return ((when >= pd.Timestamp(start)) & (when <= pd.Timestamp(end))).fillna(False)


def figure_of(
    births: pd.DataFrame, measure: Cqim, org_code: str, start: date, end: date
) -> NationalFigure:
    if measure.not_computed:
        return NationalFigure(measure.id, org_code, start, end, None, None, None, False,
                              f"not computed: {measure.not_computed}")  # fmt: skip
    unit = UNIT_IDS[measure.unit]
    base = births[mask(births, measure.denominator or {})]
    counted = base[mask(base, measure.numerator or {})]
    denominator = int(base[unit].nunique())
    numerator = int(counted[unit].nunique())
    rate = round(numerator / denominator * measure.per, 1) if denominator else None
    reason = _withheld(births, measure, denominator)
    return NationalFigure(
        measure.id, org_code, start, end, numerator, denominator, rate, not reason, reason
    )


def _withheld(births: pd.DataFrame, measure: Cqim, denominator: int) -> str:
    if denominator == 0:
        return "no births in the denominator"
    gate = measure.quality
    if gate is None or births.empty:
        return ""
    complete = births[list(gate.fields)].notna().all(axis=1).mean()
    if complete < gate.min_share:
        return (
            f"data quality: {complete:.0%} of births record {', '.join(gate.fields)} "
            f"(at least {gate.min_share:.0%} needed)"
        )
    return ""
