"""False alarms: the first night's alerts over regions where nothing is planted, beside the rate
the rules imply.

    .venv/bin/python bench/null_regions.py [--regions 20] [--births-per-year 4000] [--workers 2]

Each region is `perinatal demo --no-serve --nothing-planted` with its own seed: no events, and
every ethnic group, language, deprivation quintile and age band at the same risks, so any
clinical alert it raises is a false alarm. The demo runs every stage as a trust would (extracts,
ingest, projection, indicators, the night's alert job) on a scratch SQLite database. Then the
night's series are read back and set beside `alerts/triage/false_alarms.py`: per rule, the
charts, families or gradients it watched and the alerts chance alone would raise on them.

The ceiling printed beside the measured rate is that expectation, before triage folds one
signal into another (folding and the effect-size gate only lower it). The signals raised before
triage (every red light before the false discovery rate, every special cause before
persistence) show what the triage spares the receivers.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PERINATAL = Path(sys.executable).with_name("perinatal")
FIRST_SEED = 90_001


@dataclass
class Night:
    seed: int
    seconds: float
    expected: dict[str, float] = field(default_factory=dict)  # rule → by chance alone
    watched: dict[str, str] = field(default_factory=dict)  # rule → "1,234 charts"
    raised: Counter[str] = field(default_factory=Counter)  # rule → signals before triage
    alerts: Counter[str] = field(default_factory=Counter)  # rule → firing after triage
    notified: int = 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--regions", type=int, default=20)
    parser.add_argument("--births-per-year", type=int, default=4_000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    seeds = [FIRST_SEED + i for i in range(args.regions)]
    print(
        f"{args.regions} regions with nothing planted, {args.births_per_year:,} births a year "
        f"over {args.years} years each; {args.workers} at a time"
    )
    with ThreadPoolExecutor(args.workers) as pool:
        nights = list(pool.map(lambda s: region(s, args.births_per_year, args.years), seeds))
    for night in nights:
        print(
            f"  seed {night.seed}: {sum(night.raised.values())} signals raised "
            f"(chance alone: {sum(night.expected.values()):.1f}), "
            f"{sum(night.alerts.values())} alerts, {night.notified} notified "
            f"({night.seconds:.0f} s)"
        )
    report(nights)


def region(seed: int, births_per_year: int, years: int) -> Night:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f"null-{seed}-") as folder:
        environment = {
            **os.environ,
            "PERINATAL_DATA_DIR": folder,
            "PERINATAL_DATABASE_URL": f"sqlite:///{folder}/perinatal.db",
            "PERINATAL_LOG_LEVEL": "WARNING",
        }
        command = [
            str(PERINATAL),
            "demo",
            "--no-serve",
            "--nothing-planted",
            "--defect-rate=0",
            f"--seed={seed}",
            f"--births-per-year={births_per_year}",
            f"--years={years}",
        ]
        finished = subprocess.run(command, env=environment, capture_output=True, text=True)
        if finished.returncode != 0:
            raise SystemExit(f"seed {seed}: the demo failed:\n{finished.stderr[-2000:]}")
        night = read_night(f"sqlite:///{folder}/perinatal.db", seed)
    night.seconds = time.perf_counter() - started
    return night


def read_night(database_url: str, seed: int) -> Night:
    from sqlalchemy import select

    from alerts.rules.cycle import held_back
    from alerts.rules.definitions import load_rules
    from alerts.rules.evaluation import holds
    from alerts.triage.funnel import CLINICAL
    from alerts.triage.policy import load_policy
    from service.alerting.false_alarms import chance_tonight
    from service.alerting.snapshots import series_snapshots
    from service.indicators.catalogue import load_catalogue
    from service.storage.engine import make_engine, make_session_factory
    from service.storage.models import Alert

    catalogue, rules = load_catalogue(), load_rules()
    policy = load_policy(rules)
    engine = make_engine(database_url)
    night = Night(seed, 0.0)
    with make_session_factory(engine)() as session:
        snapshots = series_snapshots(session, catalogue)
        for chance in chance_tonight(session, catalogue, rules, policy):
            night.expected[chance.rule_id] = chance.expected
            night.watched[chance.rule_id] = f"{chance.watched:,} {chance.unit}"
        held = held_back(rules, snapshots)
        night.raised.update(
            rule.id
            for s in snapshots
            for rule in rules.values()
            if rule.kind in CLINICAL and (rule.id, s.indicator_id) not in held and holds(rule, s)
        )
        firing = session.scalars(select(Alert).where(Alert.status == "firing")).all()
        night.alerts.update(a.rule_id for a in firing if rules[a.rule_id].kind in CLINICAL)
        night.notified = sum(1 for a in firing if a.last_notified_at is not None)
    engine.dispose()
    return night


def report(nights: list[Night]) -> None:
    rules = sorted({rule for night in nights for rule in night.expected})
    width = max(len(rule) for rule in rules)
    print(
        f"\n  {'rule':<{width}}  {'watched (mean)':>18}  {'chance alone':>12}  "
        f"{'raised':>7}  {'alerts':>7}   per night, mean of {len(nights)} regions"
    )
    for rule in rules:
        watched = statistics.mean(int(n.watched[rule].split()[0].replace(",", "")) for n in nights)
        unit = nights[0].watched[rule].split()[1]
        print(
            f"  {rule:<{width}}  {f'{watched:,.0f} {unit}':>18}  "
            f"{statistics.mean(n.expected[rule] for n in nights):>12.2f}  "
            f"{statistics.mean(n.raised[rule] for n in nights):>7.2f}  "
            f"{statistics.mean(n.alerts[rule] for n in nights):>7.2f}"
        )
    expected = statistics.mean(sum(n.expected.values()) for n in nights)
    raised = [sum(n.raised.values()) for n in nights]
    alerts = [sum(n.alerts.values()) for n in nights]
    print(
        f"  {'all':<{width}}  {'':>18}  {expected:>12.2f}  {statistics.mean(raised):>7.2f}  "
        f"{statistics.mean(alerts):>7.2f}"
    )
    print(
        f"\n  alerts per night: mean {statistics.mean(alerts):.2f} (most {max(alerts)}), "
        f"ceiling the rules imply {expected:.2f}: "
        f"{'within it' if statistics.mean(alerts) <= expected else 'ABOVE IT'}"
    )
    print(
        f"  signals raised before triage: mean {statistics.mean(raised):.2f} against "
        f"{expected:.2f} by chance alone"
    )


if __name__ == "__main__":
    main()
