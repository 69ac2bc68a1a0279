"""Alerting under test: indicator results seeded so that alerts fire, and real receivers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session, sessionmaker

from service.storage import migrate
from service.storage.engine import make_engine, make_session_factory
from tests.service.alerting.receivers import HttpReceiver, MailServer, http_receiver, mail_server
from tests.service.indicators.conftest import seed_counts

NOW = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
# Smoking at delivery by ethnic group over 500 a month: White steady at 4%, Asian from 4% to
# 12% in the last three months (special-cause concern, and red against White).
WHITE = [20, 22, 19, 21, 20, 18, 22, 20, 19, 21, 20, 22, 19, 21, 20, 18, 21, 20]
ASIAN = [20, 21, 19, 22, 20, 19, 21, 20, 22, 19, 20, 21, 20, 19, 21, 60, 62, 61]


@pytest.fixture
def seeded(empty_database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(empty_database_url)
    migrate.upgrade(engine)
    seed_counts(empty_database_url, {"White": WHITE, "Asian": ASIAN})
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def smtp() -> Iterator[MailServer]:
    yield from mail_server()


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    yield from http_receiver()
