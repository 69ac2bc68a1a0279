"""SPC on the gap, end to end: a group whose own rate holds flat while its reference group's
improves month on month. The group's own chart shows nothing; the chart of its gap to the
reference shows the widening, and the night's alerts carry it (folded, with the group's
disparity, into one alert about the group)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from service.config import Settings
from service.indicators import store
from service.scheduling import tasks
from service.storage import migrate
from service.storage.engine import make_engine, make_session_factory
from service.storage.models import Alert
from tests.service.alerting.conftest import NOW
from tests.service.indicators.conftest import seed_counts

# Of 500 a month: Asian flat at about 8%; White from 8% down a point every two months.
ASIAN = [40, 41, 39, 40, 41, 39, 40, 41, 39, 40, 41, 39, 40, 41, 39, 40, 41, 39]
WHITE = [40 - month for month in range(18)]


def test_a_widening_gap_with_a_flat_group_rate_is_charted_and_alerted(
    empty_database_url: str, tmp_path: Path
) -> None:
    engine = make_engine(empty_database_url)
    migrate.upgrade(engine)
    seed_counts(empty_database_url, {"White": WHITE, "Asian": ASIAN})
    sessions = make_session_factory(engine)
    with sessions() as session:
        [asian] = [
            r
            for r in store.series_rows(session, "smoking_at_delivery", "ethnic_group")
            if r.stratum == "Asian"
        ]
        points = store.decode_points(asian.points)
    # The group's own chart: nothing to see. Its gap's: a widening, as the latest point.
    assert set(points["point_type"]) == {"common_cause"}
    assert points["gap_point_type"][-1] == "special_cause_concern"

    settings = Settings(database_url=empty_database_url, data_dir=tmp_path)
    tasks.evaluate(settings, sessions, lambda: NOW)
    with sessions() as session:
        firing = list(session.scalars(select(Alert).where(Alert.status == "firing")))
    carried = {
        (m[0], m[3])
        for a in firing
        for m in [[a.rule_id, a.indicator_id, a.stratification, a.stratum]]
        + ((a.evidence.get("triage") or {}).get("members") or [])
    }
    assert ("gap_widening", "Asian") in carried
    engine.dispose()
