"""NHS England's CQIM data-quality measures (`cqim_quality.yaml`), and the gate they make: a
provider's CQIM rate for a reporting month is published only if each data-quality measure the
CQIM lists passes for that provider and month. Pure: the births frame and the HES deliveries
arrive as arguments.

Each measure counts over its own window, set back from the reporting month (`adj_start`) and
some months long (`length`), so one record counts towards `length` reporting months. The counts
are made for every reporting month at once by giving each record one row per month it counts
towards, then counting distinct babies or mothers per provider and month.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import yaml

from alerts.inequality.disclosure import disclose
from service.indicators.conditions import check, fields_of, mask
from service.indicators.projection_frames import FIELDS_BY_TABLE

CATALOGUE_FILE = Path(__file__).with_name("cqim_quality.yaml")
UNIT_IDS = {"baby": "baby_id", "mother": "mother_id"}
HES_DELIVERIES = "hes_deliveries"
PROVIDER = "provider"
DAYS_IN_YEAR = 365  # NHS England scales annual HES deliveries by the window's days over 365


@dataclass(frozen=True)
class PassBounds:
    min: float | None = None
    max: float | None = None
    inclusive: bool = True


@dataclass(frozen=True)
class QualityMeasure:
    id: str
    title: str
    unit: Literal["baby", "mother"]
    adj_start: int  # months before the reporting month the window begins
    length: int  # months in the window
    numerator: Mapping[str, Any]
    denominator: Mapping[str, Any] | Literal["hes_deliveries", "provider"]
    bounds: PassBounds
    dated_by: Literal["birth_date", "booking_date"] = "birth_date"

    def window(self, reporting_month: pd.Period) -> tuple[pd.Period, pd.Period]:
        first = reporting_month - self.adj_start
        return first, first + (self.length - 1)


@dataclass(frozen=True)
class QualityResult:
    measure: str
    org_code: str
    reporting_month: pd.Period
    numerator: int
    denominator: int  # for hes_deliveries, 0 where the provider's deliveries are not known
    passed: bool
    note: str = ""  # why the result reads as it does, where that is not plain

    @property
    def rate(self) -> float | None:
        """The ratio NHS England checks: of the published (rounded) counts, to 3 places."""
        return _checked_ratio(disclose(self.numerator), disclose(self.denominator))

    def as_row(self, measure: QualityMeasure) -> dict[str, Any]:
        first, last = measure.window(self.reporting_month)
        return {
            "measure": self.measure,
            "title": measure.title,
            "org_code": self.org_code,
            "reporting_month": str(self.reporting_month),
            "window_start": first.start_time.date().isoformat(),
            "window_end": last.end_time.date().isoformat(),
            "numerator": self.numerator,
            "denominator": self.denominator,
            "checked_ratio": self.rate,
            "passed": self.passed,
            "note": self.note,
        }


def load_quality_measures(path: Path = CATALOGUE_FILE) -> dict[str, QualityMeasure]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    fields = FIELDS_BY_TABLE["births"]
    measures = {}
    for spec in document["measures"]:
        window = spec.pop("window")
        bounds = PassBounds(**spec.pop("pass"))
        measure = QualityMeasure(**spec, **window, bounds=bounds)
        if bounds.min is None and bounds.max is None:
            raise ValueError(f"{measure.id}: pass needs a min or a max")
        check(measure.numerator, fields, f"{measure.id} numerator")
        if isinstance(measure.denominator, Mapping):
            check(measure.denominator, fields, f"{measure.id} denominator")
        elif measure.denominator not in (HES_DELIVERIES, PROVIDER):
            raise ValueError(
                f"{measure.id}: denominator is conditions, {HES_DELIVERIES} or {PROVIDER}, "
                f"not {measure.denominator!r}"
            )
        measures[measure.id] = measure
    return measures


def fields_read(measures: Iterable[QualityMeasure]) -> set[str]:
    fields: set[str] = set()
    for measure in measures:
        fields |= {measure.dated_by, UNIT_IDS[measure.unit], *fields_of(measure.numerator)}
        if isinstance(measure.denominator, Mapping):
            fields |= fields_of(measure.denominator)
    return fields


def passes(numerator: int, denominator: int, bounds: PassBounds) -> bool:
    """NHS England's check (its Rounded_Result), on the counts as published. A provider whose
    denominator is 0 passes a minimum-only measure if it counted anything (as a provider
    missing from HES does), and one whose numerator is 0 passes a maximum-only measure."""
    shown_numerator, shown_denominator = disclose(numerator), disclose(denominator)
    ratio = _checked_ratio(shown_numerator, shown_denominator)
    if ratio is not None:
        above = bounds.min is None or (
            ratio >= bounds.min if bounds.inclusive else ratio > bounds.min
        )
        below = bounds.max is None or (
            ratio <= bounds.max if bounds.inclusive else ratio < bounds.max
        )
        if above and below:
            return True
    if shown_numerator > 0 and shown_denominator == 0 and bounds.max is None:
        return True
    return shown_numerator == 0 and shown_denominator > 0 and bounds.min is None


def quality_results(
    births: pd.DataFrame,
    measures: Iterable[QualityMeasure],
    providers: pd.Series,
    reporting_months: Sequence[pd.Period],
    hes_deliveries: Mapping[str, int],
) -> dict[tuple[str, str, pd.Period], QualityResult]:
    """Each measure's result per provider (`providers`, aligned with `births`) and reporting
    month, for every provider with a record in the frame, keyed (measure, provider, month)."""
    every_provider = sorted(providers.dropna().unique())
    wanted = set(reporting_months)
    results = {}
    for measure in measures:
        numerators, denominators = _counts(births, measure, providers, wanted)
        for org_code in every_provider:
            for month in reporting_months:
                numerator = numerators.get((org_code, month), 0)
                note = ""
                if measure.denominator == HES_DELIVERIES:
                    denominator = _hes_denominator(hes_deliveries.get(org_code), measure, month)
                    if org_code not in hes_deliveries:
                        note = "no HES deliveries loaded for the provider"
                elif measure.denominator == PROVIDER:
                    numerator, denominator = min(numerator, 1), 1
                else:
                    denominator = denominators.get((org_code, month), 0)
                results[(measure.id, org_code, month)] = QualityResult(
                    measure.id, org_code, month, numerator, denominator,
                    passes(numerator, denominator, measure.bounds), note,
                )  # fmt: skip
    return results


def gate_reason(
    measure_ids: Sequence[str],
    results: Mapping[tuple[str, str, pd.Period], QualityResult],
    catalogue: Mapping[str, QualityMeasure],
    org_code: str,
    month: pd.Period,
) -> str:
    """Why the CQIM is withheld at this provider and month (blank where every measure passes)."""
    failed = [
        results[(measure_id, org_code, month)]
        for measure_id in measure_ids
        if not results[(measure_id, org_code, month)].passed
    ]
    if not failed:
        return ""
    return "data quality: " + "; ".join(_failure(r, catalogue[r.measure]) for r in failed)


def _failure(result: QualityResult, measure: QualityMeasure) -> str:
    bounds = measure.bounds
    title = measure.title[:1].lower() + measure.title[1:]  # in a sentence; HES stays HES
    if measure.denominator == PROVIDER:
        return f"{measure.id} failed ({title}: none)"
    rate = result.rate
    shown = "no records" if rate is None else f"{rate:.1%}"
    strict = "" if bounds.inclusive else "over "
    wanted = " to ".join(
        part
        for part in (
            None if bounds.min is None else f"{strict}{bounds.min:.1%}",
            None if bounds.max is None else f"{bounds.max:.1%}",
        )
        if part
    )
    if bounds.min is None:
        wanted = f"at most {wanted}"
    elif bounds.max is None:
        wanted = f"at least {wanted}" if bounds.inclusive else wanted
    return f"{measure.id} failed ({title}: {shown}, needs {wanted})"


def _counts(
    births: pd.DataFrame, measure: QualityMeasure, providers: pd.Series, wanted: set[pd.Period]
) -> tuple[dict[tuple[str, pd.Period], int], dict[tuple[str, pd.Period], int]]:
    counted = (
        mask(births, measure.denominator)
        if isinstance(measure.denominator, Mapping)
        else pd.Series(True, index=births.index).to_numpy()
    )
    # Months as whole numbers (year × 12 + month): boxing a Period per record costs seconds.
    dated = pd.to_datetime(births[measure.dated_by], errors="coerce")
    frame = pd.DataFrame(
        {
            "provider": providers.to_numpy(),
            "month": (dated.dt.year * 12 + dated.dt.month - 1).to_numpy(),
            "unit": births[UNIT_IDS[measure.unit]].to_numpy(),
            "above": mask(births, measure.numerator) & counted,
        }
    )[counted]
    frame = frame.dropna(subset=["provider", "month", "unit"])
    # A record of month m counts towards the reporting months m + adj_start - k, k < length.
    spread = pd.concat(
        [
            frame.assign(reporting=frame["month"] + (measure.adj_start - k))
            for k in range(measure.length)
        ],
        ignore_index=True,
    )
    period_of = {p.year * 12 + p.month - 1: p for p in wanted}
    spread = spread[spread["reporting"].isin(list(period_of))]
    keys = ["provider", "reporting"]
    denominators = spread.groupby(keys)["unit"].nunique()
    numerators = spread[spread["above"]].groupby(keys)["unit"].nunique()
    return _as_dict(numerators, period_of), _as_dict(denominators, period_of)


def _as_dict(
    counts: pd.Series, period_of: Mapping[int, pd.Period]
) -> dict[tuple[str, pd.Period], int]:
    return {(str(org), period_of[int(month)]): int(n) for (org, month), n in counts.items()}


def _hes_denominator(annual: int | None, measure: QualityMeasure, month: pd.Period) -> int:
    if annual is None:
        return 0
    first, last = measure.window(month)
    days = (last.end_time.normalize() - first.start_time).days + 1
    return annual * days // DAYS_IN_YEAR


def _checked_ratio(numerator: int, denominator: int) -> float | None:
    if denominator == 0:
        return None
    exact = Decimal(numerator) / Decimal(denominator)
    return float(exact.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP))
