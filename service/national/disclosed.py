"""A national figure as it may be shown outside the service: counts rounded, and the rate only
where the measure's data-quality gate publishes it and the counts are large enough to show.

One rule for the MeasureReports, the dashboard's chart and its table, so that none of them
shows what another withholds.
"""

from __future__ import annotations

from dataclasses import dataclass

from alerts.inequality.disclosure import disclose, disclose_rate
from service.national.cqim import Cqim, NationalFigure


@dataclass(frozen=True)
class ShownFigure:
    numerator: int | None  # rounded; None where the measure counted nothing
    denominator: int | None
    rate: float | None  # per `cqim.per`; None where withheld
    withheld_because: str  # blank where the rate is shown


def shown_figure(cqim: Cqim, figure: NationalFigure) -> ShownFigure:
    numerator = None if figure.numerator is None else disclose(figure.numerator)
    denominator = None if figure.denominator is None else disclose(figure.denominator)
    if not figure.published:
        return ShownFigure(numerator, denominator, None, figure.reason)
    if not figure.denominator:
        return ShownFigure(numerator, denominator, None, "no records")
    shown = disclose_rate(figure.numerator or 0, figure.denominator, cqim.per)
    if shown.rate is None:
        return ShownFigure(numerator, denominator, None, f"not disclosed: {shown.reason}")
    return ShownFigure(numerator, denominator, shown.rate, "")
