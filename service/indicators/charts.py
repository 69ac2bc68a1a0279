"""SPC on every series of a run: an XmR chart of each overall series, and on strata a Laney p′
chart (exact binomial limits where events are rare), all classified by the MDC rules. Series sit
as rows of 2-D arrays (`SeriesGrid`), so the strata without a rebase are charted in one batch.

SPC uses unrounded counts; a month whose key fields fail the completeness gate takes no part in
a chart (it is a gap), since its rate could be an artefact of what was not recorded.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from alerts.spc.attribute_charts import (
    binomial_limits,
    needs_exact_limits,
    proportion_limits_batch,
)
from alerts.spc.gap import gap_charts
from alerts.spc.rules import IMPROVEMENT_SIGN, RuleOptions, classify
from alerts.spc.xmr import xmr_columns
from service.indicators.catalogue import Catalogue, Indicator

FloatArray = npt.NDArray[np.float64]
SERIES_KEY = ["indicator_id", "stratification", "stratum"]


@dataclass(frozen=True)
class Rebase:
    """A chart restarts its limits from this month (an intervention, or a known change)."""

    indicator_id: str
    stratification: str
    stratum: str
    period: date


@dataclass(frozen=True)
class SeriesGrid:
    """Every series as a row of one 2-D array per figure, over every month of the run (months
    outside an indicator's range, or without a row, have no counts)."""

    keys: list[tuple[str, str, str]]
    first_month: int
    columns: dict[str, npt.NDArray[Any]]

    @classmethod
    def of(cls, figures: pd.DataFrame) -> SeriesGrid:
        ordered = figures.sort_values([*SERIES_KEY, "month"], kind="stable")
        codes = ordered.groupby(SERIES_KEY, sort=True, observed=True).ngroup().to_numpy()
        keys = [
            (str(a), str(b), str(c))
            for a, b, c in ordered[SERIES_KEY].drop_duplicates().itertuples(index=False)
        ]
        first = int(ordered["month"].min())
        shape = (len(keys), int(ordered["month"].max()) - first + 1)
        position = ordered["month"].to_numpy() - first
        columns: dict[str, npt.NDArray[Any]] = {}
        for name in COUNT_NAMES:
            columns[name] = np.zeros(shape, dtype=np.int64)
        for name in FIGURE_NAMES:
            columns[name] = np.full(shape, np.nan)
        for name in LABEL_NAMES:
            columns[name] = np.full(shape, None, dtype=object)
        for name, column in columns.items():
            column[codes, position] = ordered[name].to_numpy(dtype=column.dtype)
        for name in LABEL_NAMES:  # pandas writes a missing label as NaN; JSON wants null
            labels = columns[name]
            labels[pd.isna(labels)] = None
        return cls(keys, first, columns)


COUNT_NAMES = ("numerator", "denominator", "population", "complete")
FIGURE_NAMES = (
    "rate", "ci_lower", "ci_upper", "completeness", "ratio", "ratio_lower", "ratio_upper",
    "difference",
)  # fmt: skip
LABEL_NAMES = ("dq_pass", "suppressed", "rag")


def chart_series(
    grid: SeriesGrid,
    catalogue: Catalogue,
    month_range: dict[str, tuple[int, int]],
    rebase_months: dict[tuple[str, str, str], list[int]],
) -> dict[str, npt.NDArray[Any]]:
    """Every series' SPC: XmR on the overall series (or, where its events are rare, the groups'
    chart), Laney p′ (or exact binomial limits) on strata, classified by the MDC rules; strata
    without a rebase in one batch."""
    shape = grid.columns["rate"].shape
    out: dict[str, npt.NDArray[Any]] = {
        "centre": np.full(shape, np.nan),
        "lower_limit": np.full(shape, np.nan),
        "upper_limit": np.full(shape, np.nan),
        "point_type": np.full(shape, "common_cause", dtype=object),
        "rule": np.full(shape, None, dtype=object),
        "rebase_group": np.zeros(shape, dtype=np.int64),
    }
    usable = grid.columns["dq_pass"] == True  # noqa: E712 - an object array of True/False/None
    batch: list[int] = []
    for row, key in enumerate(grid.keys):
        indicator = catalogue.indicators[key[0]]
        first, last = month_range[key[0]]
        span = slice(first - grid.first_month, last - grid.first_month + 1)
        starts = sorted({m - first for m in rebase_months.get(key, ()) if first < m <= last})
        if chart_kind(grid, row, span, key[1]) == "xmr":
            chart = _xmr_chart(
                grid.columns["rate"][row, span], usable[row, span], indicator, starts
            )
        elif starts or key[1] == "overall":
            chart = _proportion_chart(
                grid.columns["numerator"][row, span],
                grid.columns["denominator"][row, span],
                usable[row, span],
                indicator,
                starts,
            )
        else:
            batch.append(row)
            continue
        for name, values in chart.items():
            out[name][row, span] = values
    if batch:
        _proportion_batch(grid, catalogue, usable, np.array(batch), out)
    out |= _gaps(grid, catalogue, usable)
    return out


def chart_kind(grid: SeriesGrid, row: int, span: slice, stratification: str) -> str:
    """ "xmr" for an overall series, "p_prime" for a group's, or an overall one whose events
    are rare (`rare_events`)."""
    if stratification == "overall" and not rare_events(grid, row, span):
        return "xmr"
    return "p_prime"


def rare_events(grid: SeriesGrid, row: int, span: slice) -> bool:
    """Whether a typical month of the series expects fewer than 5 events. An XmR chart of such
    a rate is no guide: months without an event make its moving ranges, and so its limits,
    narrower than one event, and a single event crosses them. Such an overall chart is charted
    as the groups' are, against exact binomial probability limits."""
    usable = grid.columns["dq_pass"][row, span] == True  # noqa: E712 - True/False/None
    x = np.where(usable, grid.columns["numerator"][row, span], 0).astype(np.float64)
    n = np.where(usable, grid.columns["denominator"][row, span], 0).astype(np.float64)
    if n.sum() <= 0:
        return False
    return bool(needs_exact_limits(n[None, :], np.array([x.sum() / n.sum()]))[0])


def _gaps(
    grid: SeriesGrid, catalogue: Catalogue, usable: npt.NDArray[np.bool_]
) -> dict[str, npt.NDArray[Any]]:
    """Each group's gap chart: its monthly difference from the reference group (a month
    failing the completeness gate is a gap), charted with the indicator's direction."""
    shape = grid.columns["rate"].shape
    out: dict[str, npt.NDArray[Any]] = {
        name: np.full(shape, np.nan) for name in ("gap_centre", "gap_lower", "gap_upper")
    }
    out["gap_point_type"] = np.full(shape, "common_cause", dtype=object)
    rows = np.array([r for r, key in enumerate(grid.keys) if key[1] != "overall"], dtype=int)
    if len(rows) == 0:
        return out
    signs = np.array(
        [IMPROVEMENT_SIGN[catalogue.indicators[grid.keys[r][0]].improvement] for r in rows]
    )
    difference = np.where(usable[rows], grid.columns["difference"][rows], np.nan)
    for name, values in gap_charts(difference, signs).items():
        out[name][rows] = values
    return out


def _proportion_batch(
    grid: SeriesGrid,
    catalogue: Catalogue,
    usable: npt.NDArray[np.bool_],
    rows: npt.NDArray[np.int64],
    out: dict[str, npt.NDArray[Any]],
) -> None:
    indicators = [catalogue.indicators[grid.keys[r][0]] for r in rows]
    charted = p_prime_charts(
        np.where(usable[rows], grid.columns["numerator"][rows], 0),
        np.where(usable[rows], grid.columns["denominator"][rows], 0),
        np.array([i.per for i in indicators], dtype=np.float64),
        np.array([IMPROVEMENT_SIGN[i.improvement] for i in indicators]),
    )
    for name, values in charted.items():
        out[name][rows] = values


def p_prime_charts(
    numerators: npt.NDArray[Any],
    denominators: npt.NDArray[Any],
    per: FloatArray,
    improvement_sign: npt.NDArray[np.int64],
) -> dict[str, npt.NDArray[Any]]:
    """One chart per row: Laney p′ limits (exact binomial limits for a row whose events are
    rare) in the indicator's unit, and the MDC classification against them."""
    x = np.asarray(numerators, dtype=np.float64)
    n = np.asarray(denominators, dtype=np.float64)
    values, centre, lower, upper = proportion_limits_batch(x, n, laney=True)
    exact = needs_exact_limits(n, centre)
    if exact.any():
        lower[exact], upper[exact] = binomial_limits(n[exact], centre[exact])
    scale = per[:, None]
    centre_line = np.broadcast_to(centre[:, None], values.shape) * scale
    classified = classify(
        values * scale, centre_line, lower * scale, upper * scale, improvement_sign, RuleOptions()
    )
    counted = n > 0
    return {
        "centre": centre_line,
        "lower_limit": np.where(counted, lower * scale, np.nan),
        "upper_limit": np.where(counted, upper * scale, np.nan),
        "point_type": classified.point_type,
        "rule": classified.rule,
    }


def rebase_months(rebases: Sequence[Rebase]) -> dict[tuple[str, str, str], list[int]]:
    months: dict[tuple[str, str, str], list[int]] = {}
    for rebase in rebases:
        key = (rebase.indicator_id, rebase.stratification, rebase.stratum)
        months.setdefault(key, []).append(rebase.period.year * 12 + rebase.period.month - 1)
    return months


def _xmr_chart(
    rate: FloatArray, usable: npt.NDArray[np.bool_], indicator: Indicator, starts: list[int]
) -> dict[str, Any]:
    chart = xmr_columns(
        np.where(usable, rate, np.nan),
        indicator.improvement,  # type: ignore[arg-type]
        starts,
        None,
        True,
        RuleOptions(),
    )
    return {
        "centre": chart["mean"],
        "lower_limit": chart["lpl"],
        "upper_limit": chart["upl"],
        "point_type": chart["point_type"],
        "rule": chart["special_cause_rule"],
        "rebase_group": chart["rebase_group"],
    }


def _proportion_chart(
    numerator: npt.NDArray[np.int64],
    denominator: npt.NDArray[np.int64],
    usable: npt.NDArray[np.bool_],
    indicator: Indicator,
    starts: list[int],
) -> dict[str, Any]:
    """One stratum's chart with rebases: a p′ chart per rebase group."""
    length = len(numerator)
    x = np.where(usable, numerator, 0)
    n = np.where(usable, denominator, 0)
    out: dict[str, Any] = {
        **{name: np.full(length, np.nan) for name in ("centre", "lower_limit", "upper_limit")},
        "point_type": np.full(length, "common_cause", dtype=object),
        "rule": np.full(length, None, dtype=object),
        "rebase_group": np.zeros(length, dtype=np.int64),
    }
    sign = np.array([IMPROVEMENT_SIGN[indicator.improvement]])
    for group, (start, stop) in enumerate(itertools.pairwise([0, *starts, length])):
        part = slice(start, stop)
        charted = p_prime_charts(
            x[None, part], n[None, part], np.array([float(indicator.per)]), sign
        )
        for name, values in charted.items():
            out[name][part] = values[0]
        out["rebase_group"][part] = group
    return out
