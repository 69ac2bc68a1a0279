"""Delivery to real receivers: email through an SMTP server with STARTTLS and authentication,
Teams posts and FHIR rest-hook notifications to a local HTTP server, retries honouring
Retry-After, and a worker killed mid-batch that sends nothing twice after restart."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import orjson
from fhir.resources.R4B import get_fhir_model_class
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from alerts.notify.delivery import Outgoing
from alerts.notify.teams import TeamsSender
from service.alerting.compose import enqueue
from service.alerting.outbox import deliver_due
from service.alerting.senders import senders_for
from service.config import Settings
from service.scheduling import tasks
from service.storage.models import DeliveryAttempt, OutboxNotification
from service.storage.resource_reads import current
from service.storage.resource_writes import write_resources
from tests.service.alerting.conftest import ASIAN, NOW, WHITE
from tests.service.alerting.receivers import (
    SMTP_USER,
    HttpReceiver,
    MailServer,
    emailing_settings,
)
from tests.service.indicators.conftest import SMOKING_NUMERATORS, seed_counts


def at(seconds: float) -> datetime:
    return NOW + timedelta(seconds=seconds)


def evaluate(settings: Settings, sessions: sessionmaker[Session]) -> None:
    tasks.evaluate(settings, sessions, lambda: NOW)


def deliver(
    settings: Settings, sessions: sessionmaker[Session], when: datetime, **senders: object
) -> Counter[str]:
    with httpx.Client(timeout=5) as http:
        made = senders_for(settings, http=http, now=lambda: when, **senders)  # type: ignore[arg-type]
        return deliver_due(sessions, made, now=lambda: when).outcomes


def test_email_goes_through_starttls_and_login_as_multipart_with_the_chart_inline(
    seeded: sessionmaker[Session], smtp: MailServer, tmp_path: Path
) -> None:
    settings = emailing_settings(
        smtp,
        data_dir=tmp_path,
        alert_email_to="maternity-safety@example.nhs.uk,equity@example.nhs.uk",
        public_base_url="https://perinatal.example.nhs.uk",
    )
    evaluate(settings, seeded)
    assert deliver(settings, seeded, NOW, tls=smtp.client_tls) == {"delivered": 1}

    [received] = smtp.received  # one message for the receiver, listing every alert
    assert received.tls
    assert received.authenticated_as == SMTP_USER
    assert received.recipients == ["maternity-safety@example.nhs.uk", "equity@example.nhs.uk"]
    email = received.message
    assert email.get_content_type() == "multipart/alternative"
    assert "Smoking at time of delivery" in email["Subject"]
    plain = email.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    # Each alert one line in words: the group named, never by its code alone.
    # The group's special cause carries its disparity and widening gap, folded in.
    assert (
        "Smoking at time of delivery for Asian or Asian British: above its upper process limit "
        "in 2024-06 (special-cause concern): 12.0% against an average of 5.4 (and 2 more)"
    ) in plain
    html = email.get_body(("html",))
    assert html is not None
    images = [p for p in email.walk() if p.get_content_type() == "image/png"]
    assert images
    assert all(p.get_content().startswith(b"\x89PNG") for p in images)
    for image in images:
        assert f"cid:{image['Content-ID'].strip('<>')}" in html.get_content()
    link = "https://perinatal.example.nhs.uk/dashboard/indicator?indicator=smoking_at_delivery"
    assert link in html.get_content()
    assert link in plain


def test_a_wrong_smtp_password_is_final_and_logged(
    seeded: sessionmaker[Session], smtp: MailServer, tmp_path: Path
) -> None:
    settings = emailing_settings(smtp, data_dir=tmp_path, smtp_password="wrong")
    evaluate(settings, seeded)
    assert deliver(settings, seeded, NOW, tls=smtp.client_tls) == {"failed": 1}
    assert smtp.received == []
    with seeded() as session:
        [attempt] = session.scalars(select(DeliveryAttempt))
    assert attempt.status_code == 535
    assert attempt.outcome == "failed"


def test_teams_429_then_500_then_202_is_retried_on_time_and_delivered_once(
    seeded: sessionmaker[Session], receiver: HttpReceiver, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path, teams_webhook_url=f"{receiver.url}/workflows/team")
    receiver.script["/workflows/team"] = [(429, {"Retry-After": "7"}), (500, {})]
    evaluate(settings, seeded)

    assert deliver(settings, seeded, at(0)) == {"retry": 1}
    assert deliver(settings, seeded, at(6)) == {}  # Retry-After: 7 seconds
    assert deliver(settings, seeded, at(7)) == {"retry": 1}
    # The second failure waits the backoff for a second attempt: 60 s.
    assert deliver(settings, seeded, at(7 + 59)) == {}
    assert deliver(settings, seeded, at(7 + 60)) == {"delivered": 1}
    assert deliver(settings, seeded, at(3600)) == {}

    assert [p.answered for p in receiver.posts] == [429, 500, 202]
    assert len({p.headers["idempotency-key"] for p in receiver.posts}) == 1
    envelope = orjson.loads(receiver.posts[-1].body)
    assert envelope["attachments"][0]["content"]["version"] == "1.4"
    with seeded() as session:
        attempts = list(session.scalars(select(DeliveryAttempt).order_by(DeliveryAttempt.id)))
    assert [(a.outcome, a.status_code) for a in attempts] == [
        ("retry", 429),
        ("retry", 500),
        ("delivered", 202),
    ]
    assert [a.retry_at for a in attempts] == [at(7), at(67), None]


def test_a_teams_404_gives_up_at_once(
    seeded: sessionmaker[Session], receiver: HttpReceiver, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path, teams_webhook_url=f"{receiver.url}/workflows/gone")
    receiver.script["/workflows/gone"] = [(404, {})]
    evaluate(settings, seeded)
    assert deliver(settings, seeded, at(0)) == {"failed": 1}
    assert deliver(settings, seeded, at(86_400)) == {}
    with seeded() as session:
        assert session.scalar(select(OutboxNotification.status)) == "failed"


def test_posts_to_one_webhook_are_paced_to_one_a_second() -> None:
    clock = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(round(seconds, 6))
        clock[0] += seconds

    transport = httpx.MockTransport(lambda request: httpx.Response(202))
    with httpx.Client(transport=transport) as http:
        sender = TeamsSender(http, now=lambda: NOW, monotonic=lambda: clock[0], sleep=sleep)
        for key, time_now in (("a", 0.0), ("b", 0.2), ("c", 6.0)):
            clock[0] = max(clock[0], time_now)
            outgoing = Outgoing(key, "https://hook.example/x", "application/json", "{}")
            assert sender.send(outgoing).delivered
    assert waits == [0.8]  # the second came 0.2 s after the first; the third 5 s later


def test_rest_hook_subscribers_are_sent_the_alert_communications(
    seeded: sessionmaker[Session], receiver: HttpReceiver, tmp_path: Path
) -> None:
    subscription = {
        "resourceType": "Subscription",
        "id": "regional",
        "status": "requested",
        "reason": "Regional maternity dashboard",
        "criteria": "Communication?category=perinatal-alert",
        "channel": {
            "type": "rest-hook",
            "endpoint": f"{receiver.url}/fhir-hook",
            "payload": "application/fhir+json",
            "header": ["Authorization: Bearer hook-token"],
        },
    }
    elsewhere = {
        **subscription,
        "id": "issues-only",
        "criteria": "DetectedIssue",
        "channel": {**subscription["channel"], "endpoint": f"{receiver.url}/issues"},
    }
    gone = {
        **subscription,
        "id": "gone",
        "channel": {**subscription["channel"], "endpoint": f"{receiver.url}/gone"},
    }
    receiver.script["/gone"] = [(410, {})] * 50
    with seeded.begin() as session:
        write_resources(session, [subscription, elsewhere, gone], now=NOW)
    settings = Settings(data_dir=tmp_path)
    evaluate(settings, seeded)
    deliver(settings, seeded, NOW)

    hooks = [p for p in receiver.posts if p.path == "/fhir-hook"]
    assert hooks
    assert not [p for p in receiver.posts if p.path == "/issues"]  # no data-quality alert
    for post in hooks:
        assert post.headers["authorization"] == "Bearer hook-token"
        assert post.headers["content-type"] == "application/fhir+json"
        resource = orjson.loads(post.body)
        get_fhir_model_class("Communication").model_validate(resource)
        assert resource["about"][0]["reference"] == "Measure/smoking_at_delivery"
    # R4: a requested subscription is active once delivered to; one given up on is in error.
    with seeded() as session:
        regional = current(session, "Subscription", "regional")
        failed = current(session, "Subscription", "gone")
    assert regional is not None
    assert failed is not None
    assert regional.resource["status"] == "active"
    assert failed.resource["status"] == "error"
    assert "HTTP 410" in failed.resource["error"]


WORKER = textwrap.dedent(
    """
    import sys
    from datetime import datetime
    import httpx
    from service.alerting.outbox import deliver_due
    from service.alerting.senders import senders_for
    from service.config import Settings
    from service.storage.engine import make_engine, make_session_factory

    settings = Settings(database_url=sys.argv[1], teams_min_interval_seconds=0)
    when = datetime.fromisoformat(sys.argv[2])
    sessions = make_session_factory(make_engine(settings.database_url))
    with httpx.Client(timeout=60) as http:
        deliver_due(sessions, senders_for(settings, http=http, now=lambda: when), now=lambda: when)
    """
)


def test_a_worker_killed_mid_batch_sends_nothing_twice_after_restart(
    seeded: sessionmaker[Session], receiver: HttpReceiver, empty_database_url: str, tmp_path: Path
) -> None:
    with seeded.begin() as session:
        for n in range(10):
            url = f"{receiver.url}/workflows/{n}"
            enqueue(
                session, f"key-{n}", f"team-{n}", "teams", url, "application/json", "{}", (), NOW
            )
    receiver.hang_on_post = 5  # the fifth POST is in flight when the worker dies

    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, empty_database_url, NOW.isoformat()],
        env={**os.environ, "PYTHONPATH": str(Path.cwd())},
    )
    try:
        assert receiver.hanging.wait(30), "the worker never reached the fifth notification"
        os.kill(worker.pid, signal.SIGKILL)
    finally:
        worker.wait(10)
        receiver.release.set()

    with seeded() as session:
        statuses = Counter(session.scalars(select(OutboxNotification.status)))
    assert statuses == {"delivered": 4, "sending": 1, "queued": 5}

    # Restarted later, once the dead worker's claim has lapsed.
    assert deliver(Settings(teams_min_interval_seconds=0), seeded, at(600)) == {"delivered": 6}

    delivered = Counter(p.headers["idempotency-key"] for p in receiver.accepted())
    assert delivered == {f"key-{n}": 1 for n in range(10)}  # every one, none twice
    with seeded() as session:
        assert set(session.scalars(select(OutboxNotification.status))) == {"delivered"}


def test_a_resolved_notice_is_threaded_to_the_first_email(
    seeded: sessionmaker[Session], smtp: MailServer, empty_database_url: str, tmp_path: Path
) -> None:
    settings = emailing_settings(smtp, data_dir=tmp_path)
    evaluate(settings, seeded)
    deliver(settings, seeded, NOW, tls=smtp.client_tls)
    first = smtp.received[0].message
    # Month after month the Asian rate is back to 4%: once the concern is out of the rules'
    # three-month look-back, two quiet months resolve it.
    overall, white, asian = list(SMOKING_NUMERATORS), list(WHITE), list(ASIAN)
    for month in range(1, 6):
        overall.append(40)
        white.append(20)
        asian.append(20)
        seed_counts(empty_database_url, {"White": white, "Asian": asian}, overall)
        tasks.evaluate(settings, seeded, lambda month=month: at(month * 31 * 86_400))
        deliver(settings, seeded, at(month * 31 * 86_400), tls=smtp.client_tls)

    resolved = [r.message for r in smtp.received if "1 resolved" in str(r.message["Subject"])]
    assert resolved, [str(r.message["Subject"]) for r in smtp.received]
    assert resolved[0]["In-Reply-To"] == first["Message-ID"]
    text = resolved[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Resolved (1)" in text
    assert "special-cause concern for Asian" in text
