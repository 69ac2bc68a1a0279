"""Indicator results seeded straight into the counts table, for the tests of what is served."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from service.indicators.run import compute
from service.indicators.store import replace_counts
from service.storage.engine import make_engine, make_session_factory

# Smoking at delivery, 18 months from January 2023: about 8% for ten months, then about 4%.
SMOKING_NUMERATORS = [80, 85, 75, 82, 78, 80, 84, 76, 81, 79, 40, 42, 38, 41, 39, 40, 43, 37]


def seed_counts(
    database_url: str,
    strata: dict[str, list[int]] | None = None,
    overall: list[int] = SMOKING_NUMERATORS,
    stratified: dict[str, dict[str, list[int]]] | None = None,
) -> None:
    """Counts for smoking at delivery (overall, and by ethnic group when `strata` is given as
    group → numerators over 500 a month, or by any stratification in `stratified`), then the
    statistics computed from them."""
    engine = make_engine(database_url)
    sessions = make_session_factory(engine)
    months = pd.date_range("2023-01-01", periods=len(overall), freq="MS")
    frames = [
        pd.DataFrame(
            {
                "indicator_id": "smoking_at_delivery",
                "period": months,
                "stratification": "overall",
                "stratum": "all",
                "population": 1000,
                "complete": 1000,
                "denominator": 1000,
                "numerator": overall,
            }
        )
    ]
    groups = [("ethnic_group", g, n) for g, n in (strata or {}).items()] + [
        (by, g, n) for by, of in (stratified or {}).items() for g, n in of.items()
    ]
    for stratification, group, numerators in groups:
        frames.append(
            pd.DataFrame(
                {
                    "indicator_id": "smoking_at_delivery",
                    "period": months,
                    "stratification": stratification,
                    "stratum": group,
                    "population": 500,
                    "complete": 500,
                    "denominator": 500,
                    "numerator": numerators,
                }
            )
        )
    with sessions.begin() as session:
        replace_counts(session, pd.concat(frames, ignore_index=True), 0, None)
    compute(
        sessions,
        now=lambda: datetime(2026, 1, 5, tzinfo=UTC),
        full=False,
        statistics_only=True,
    )
    engine.dispose()
