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
) -> None:
    """Counts for smoking at delivery (overall, and by ethnic group when `strata` is given as
    group → numerators over 500 a month), then the statistics computed from them."""
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
    for group, numerators in (strata or {}).items():
        frames.append(
            pd.DataFrame(
                {
                    "indicator_id": "smoking_at_delivery",
                    "period": months,
                    "stratification": "ethnic_group",
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
