"""Storing a run's results: each run replaces the last one's series in place, and a series the
new run no longer has (its group emptied by a correction) is gone."""

from __future__ import annotations

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.indicators import store
from service.indicators.statistics import Results
from service.storage.models import IndicatorSeries


def _series(stratum: str, rate: float) -> dict:
    return {
        "indicator_id": "oasi",
        "stratification": "ethnic_group",
        "stratum": stratum,
        "latest_period": "2025-06",
        "latest_point_type": "common_cause",
        "window_rag": None,
        "trial_limits": False,
        "points": {"month": np.array([24300]), "rate": np.array([rate]), "chart": "p_prime"},
        "window": {"rate": rate},
    }


def test_a_run_replaces_the_last_ones_series(session: Session) -> None:
    store.replace_results(session, Results([_series("Asian", 1.0), _series("Black", 2.0)]), 1)
    store.replace_results(session, Results([_series("Asian", 3.0)]), 2)
    rows = session.scalars(select(IndicatorSeries)).all()
    assert [(r.stratum, r.run_id) for r in rows] == [("Asian", 2)]
    assert store.decode_points(rows[0].points)["rate"] == [3.0]
    assert rows[0].window == {"rate": 3.0}
