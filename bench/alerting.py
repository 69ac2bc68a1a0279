"""Benchmark alerting: rule evaluation over the demo's indicator results, and delivery of 1,000
queued notifications to local receivers.

    .venv/bin/python bench/alerting.py [--demo-database var/perinatal.db] [--repeat 3]

Run `make demo` first: the indicator results (`indicator_series`) of its database are copied
into a scratch SQLite database for each repetition, so every evaluation starts with no alerts
(the demo's first night: every signal fires at once, the heaviest case). Delivery uses the
test suite's real receivers (an aiosmtpd server with STARTTLS and login, a local HTTP server),
so it needs the dev extra. Teams pacing (one post a second per webhook) is turned off for the
throughput figure: it is a limit on purpose, not a cost.

Each figure is printed beside its ceiling, measured in the same run: for evaluation, reading and
decoding the indicator results it evaluates (every series' points and every stratification's
funnel), and nothing else; for delivery, the same notifications handed to the same senders and
receivers directly, without the outbox's claim and record around each.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

NOW = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
COPIED_TABLES = ("indicator_series", "indicator_stratification", "intervention")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--demo-database", type=Path, default=Path("var/perinatal.db"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--notifications", type=int, default=1_000)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message="Session.login_data is deprecated")
    if not args.demo_database.exists():
        raise SystemExit(f"no demo database at {args.demo_database}: run `make demo` first")
    with tempfile.TemporaryDirectory() as folder:
        for repetition in range(args.repeat):
            print(evaluation(Path(folder) / f"eval-{repetition}.db", args.demo_database))
        for repetition in range(args.repeat):
            print(delivery(Path(folder) / f"deliver-{repetition}.db", args.notifications))


def scratch_database(path: Path, demo: Path | None = None) -> str:
    from service.storage import migrate
    from service.storage.engine import make_engine

    url = f"sqlite:///{path}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    if demo is not None:
        with sqlite3.connect(path) as connection:
            connection.execute("ATTACH DATABASE ? AS demo", (str(demo),))
            for table in COPIED_TABLES:
                connection.execute(f"INSERT INTO main.{table} SELECT * FROM demo.{table}")
    return url


def evaluation(path: Path, demo: Path) -> str:
    from service.config import Settings
    from service.scheduling import tasks
    from service.storage.engine import make_engine, make_session_factory

    url = scratch_database(path, demo)
    # Email and Teams receivers, so the notices are composed for both (charts included);
    # nothing is delivered here.
    settings = Settings(
        database_url=url,
        data_dir=path.parent,
        smtp_host="127.0.0.1",
        alert_email_from="alerts@example.nhs.uk",
        alert_email_to="team@example.nhs.uk",
        teams_webhook_url="https://example.invalid/workflows/team",
    )
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    first = tasks.evaluate(settings, sessions, lambda: NOW)
    started = time.perf_counter()
    again = tasks.evaluate(settings, sessions, lambda: NOW)
    rerun = time.perf_counter() - started
    engine.dispose()
    ceiling = _read_results(path)
    return (
        f"evaluation over {first.series:,} series: rules and lifecycle "
        f"{first.seconds['evaluate']:.2f} s, with {sum(first.transitions.values())} alerts "
        f"stored and their notices composed (email with charts, Teams card, FHIR) "
        f"{first.seconds['total']:.2f} s; the same results again {rerun:.2f} s "
        f"({len(again.queued)} queued); ceiling, reading the results alone: {ceiling:.2f} s"
    )


def _read_results(path: Path) -> float:
    started = time.perf_counter()
    with sqlite3.connect(path) as connection:
        for points, window in connection.execute('SELECT points, "window" FROM indicator_series'):
            json.loads(points), json.loads(window)
        for funnel, gradient in connection.execute(
            "SELECT funnel, gradient FROM indicator_stratification"
        ):
            json.loads(funnel or "null"), json.loads(gradient or "null")
    return time.perf_counter() - started


def delivery(path: Path, count: int) -> str:
    import httpx

    from alerts.notify.delivery import Outgoing
    from service.alerting.compose import enqueue
    from service.alerting.outbox import deliver_due
    from service.alerting.senders import senders_for
    from service.storage.engine import make_engine, make_session_factory
    from tests.service.alerting.receivers import (
        emailing_settings,
        http_receiver,
        mail_server,
    )

    url = scratch_database(path)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    smtp_servers, receivers = mail_server(), http_receiver()
    smtp, receiver = next(smtp_servers), next(receivers)
    settings = emailing_settings(smtp, database_url=url, teams_min_interval_seconds=0)
    email = (
        "From: alerts@example.nhs.uk\r\nTo: team@example.nhs.uk\r\nSubject: bench\r\n\r\n"
        + "An aggregate alert.\r\n" * 50
    )
    channels = {"email": 0, "teams": 0, "rest-hook": 0}
    queued: list[tuple[str, Outgoing]] = []
    with sessions.begin() as session:
        for n in range(count):
            channel = ("teams", "email", "rest-hook", "teams")[n % 4]
            channels[channel] += 1
            target, payload, kind = {
                "teams": (f"{receiver.url}/workflows/{n % 100}", "{}", "application/json"),
                "email": ("team@example.nhs.uk", email, "message/rfc822"),
                "rest-hook": (
                    f'{{"endpoint": "{receiver.url}/hook", "headers": [], '
                    '"payload": "application/fhir+json"}',
                    '{"resourceType": "Communication"}',
                    "application/fhir+json",
                ),
            }[channel]
            enqueue(session, f"bench-{n}", "bench", channel, target, kind, payload, (), NOW)
            queued.append((channel, Outgoing(f"ceiling-{n}", target, kind, payload)))
    with httpx.Client(timeout=30) as http:
        senders = senders_for(settings, http=http, now=lambda: NOW, tls=smtp.client_tls)
        started = time.perf_counter()
        report = deliver_due(sessions, senders, now=lambda: NOW, limit=count)
        seconds = time.perf_counter() - started
        started = time.perf_counter()
        for channel, outgoing in queued:
            senders[channel].send(outgoing)
        ceiling = time.perf_counter() - started
    engine.dispose()
    for generator in (smtp_servers, receivers):
        generator.close()
    mix = ", ".join(f"{n} {c}" for c, n in channels.items())
    return (
        f"delivery of {count:,} notifications ({mix}): {dict(report.outcomes)} in "
        f"{seconds:.2f} s, {count / seconds:,.0f}/s; ceiling, the same sent by the senders "
        f"without the outbox: {count / ceiling:,.0f}/s ({ceiling / seconds:.0%} of the time)"
    )


if __name__ == "__main__":
    main()
