"""Recording an intervention, the one write the indicator results take from users: validated
against the catalogue, stored, and, when it rebases its chart, the statistics recomputed at once
so the chart's limits restart from its month."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from service.indicators import store
from service.indicators.catalogue import load_catalogue
from service.indicators.published import intervention_view, validate_intervention
from service.indicators.run import compute_when_free
from service.storage.models import Intervention


def record_intervention(
    sessions: sessionmaker[Session],
    *,
    now: Callable[[], datetime],
    indicator_id: str,
    started_on: date,
    description: str,
    owner: str,
    stratification: str = "overall",
    stratum: str = "all",
    rebase: bool = False,
    recorded_by: str | None = None,
) -> dict[str, Any]:
    validate_intervention(load_catalogue(), indicator_id, stratification, stratum, started_on)
    with sessions.begin() as session:
        intervention = store.add_intervention(
            session,
            Intervention(
                indicator_id=indicator_id,
                started_on=started_on,
                description=description,
                owner=owner,
                stratification=stratification,
                stratum=stratum,
                rebase=rebase,
                recorded_at=now(),
                recorded_by=recorded_by,
            ),
        )
        view = intervention_view(intervention)
    if rebase:
        # No month needs recounting: the stored counts are charted again with the new groups.
        compute_when_free(sessions, now=now, full=False, statistics_only=True)
    return view
