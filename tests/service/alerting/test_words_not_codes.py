"""The alert email and the Teams card name every group in words: an ethnic category, a
preferred language and a deprivation quintile, each rising against its reference, reach the
receivers as "Asian or Asian British: Pakistani", "Polish" and "Most deprived 20%", never as
J, pl or 1 alone. Delivered to the real receivers (an SMTP server, an HTTP endpoint) and read
as they received it."""

from __future__ import annotations

from pathlib import Path

import orjson
from sqlalchemy import select

from service.scheduling import tasks
from service.storage import migrate
from service.storage.engine import make_engine, make_session_factory
from service.storage.models import Alert
from tests.group_words import codes_as_labels, codes_in_text
from tests.service.alerting.conftest import ASIAN, NOW, WHITE
from tests.service.alerting.receivers import HttpReceiver, MailServer, emailing_settings
from tests.service.alerting.test_delivery import deliver
from tests.service.indicators.conftest import seed_counts

# Each coded group rising against its reference, as the Asian group does in the conftest.
CODED = {
    "ethnic_category": {"A": WHITE, "J": ASIAN},
    "language": {"en": WHITE, "pl": ASIAN},
    "imd_quintile": {"5": WHITE, "1": ASIAN},
}


def strings_of(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_of(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings_of(v)]
    return []


def test_emails_and_teams_cards_name_every_group_in_words(
    empty_database_url: str, smtp: MailServer, receiver: HttpReceiver, tmp_path: Path
) -> None:
    engine = make_engine(empty_database_url)
    migrate.upgrade(engine)
    seed_counts(empty_database_url, stratified=CODED)
    sessions = make_session_factory(engine)
    settings = emailing_settings(
        smtp, data_dir=tmp_path, teams_webhook_url=f"{receiver.url}/workflows/team"
    )
    tasks.evaluate(settings, sessions, lambda: NOW)
    with sessions() as session:
        firing = list(session.scalars(select(Alert).where(Alert.status == "firing")))
    told = {a.stratification for a in firing}
    assert told >= {"ethnic_category", "language", "imd_quintile"}  # what the test is about
    assert deliver(settings, sessions, NOW, tls=smtp.client_tls) == {"delivered": 2}

    [received] = smtp.received
    email = received.message
    plain = email.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = email.get_body(("html",)).get_content()  # type: ignore[union-attr]
    [post] = receiver.accepted()
    card = strings_of(orjson.loads(post.body))
    for words in ("Asian or Asian British: Pakistani", "Polish", "Most deprived 20%"):
        assert words in plain
        assert words in html
        assert any(words in text for text in card)
    read = [email["Subject"], plain, html, *card]
    assert codes_in_text(read) == []
    assert codes_as_labels(card) == []
    engine.dispose()
