"""The alert rules over stored indicator results: the signals they raise, and evidence that is
disclosure-controlled before it can reach any message."""

from __future__ import annotations

from alerts.rules.definitions import load_rules
from alerts.rules.evaluation import evaluate
from service.alerting.snapshots import series_snapshots
from service.indicators.catalogue import load_catalogue
from service.storage import migrate
from service.storage.engine import make_engine, make_session_factory
from tests.service.indicators.conftest import seed_counts

# Smoking at delivery of 500 women a month: Black women 12%, White 8% (the reference),
# Mixed 3 a month (suppressed each month).
STRATA = {"White": [40] * 18, "Black": [60] * 18, "Mixed": [3] * 18}


def test_rules_over_stored_results(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    migrate.upgrade(engine)
    seed_counts(empty_database_url, STRATA)
    with make_session_factory(engine)() as session:
        snapshots = series_snapshots(session, load_catalogue())
    engine.dispose()
    by_stratum = {s.stratum: s for s in snapshots}
    assert set(by_stratum) == {"all", "White", "Black", "Mixed"}
    signals = evaluate(load_rules(), snapshots)
    red = [s for s in signals if s.rule_id == "disparity_red"]
    assert [s.stratum for s in red] == ["Black"]
    window = red[0].evidence["window"]
    assert (window["numerator"], window["denominator"]) == (720, 6000)
    assert window["ratio"] == 1.5
    assert window["reference"] == "White"
    mixed = by_stratum["Mixed"].evidence
    assert mixed["numerator"] == 5  # 3 smokers: suppressed in anything that leaves the service
    assert mixed["rate"] is None
    # Smoking fell overall: special-cause improvement, which raises nothing.
    assert all(s.rule_id != "special_cause_concern_overall" for s in signals)
