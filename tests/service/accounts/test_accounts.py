"""Dashboard users: hashed passwords, sessions that lapse, throttled sign-in, the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from service.accounts import users
from service.accounts.passwords import hash_password, verify_password
from service.accounts.throttle import WINDOW, may_try
from service.storage import migrate
from service.storage.engine import make_engine, make_session_factory
from service.storage.models import DashboardUser

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


def test_passwords_are_salted_scrypt_hashes() -> None:
    stored = hash_password(PASSWORD, b"0123456789abcdef")
    assert stored.startswith("scrypt$16384$8$1$")
    assert PASSWORD not in stored
    assert verify_password(PASSWORD, stored)
    assert not verify_password(PASSWORD + "!", stored)
    assert hash_password(PASSWORD, b"another-salt-16b") != stored
    assert not verify_password(PASSWORD, "md5$abc")
    assert not verify_password(PASSWORD, "scrypt$x$8$1$a$b")


def test_five_failures_in_fifteen_minutes_make_the_next_attempt_wait() -> None:
    failures = [NOW - timedelta(minutes=m) for m in (1, 2, 3, 4)]
    assert may_try(failures, NOW).allowed
    failures.append(NOW - timedelta(minutes=10))
    verdict = may_try(failures, NOW)
    assert not verdict.allowed
    assert verdict.retry_after_seconds == 5 * 60  # the 10-minute-old one leaves at 15
    assert may_try(failures, NOW + WINDOW).allowed


@pytest.fixture
def accounts(empty_database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(empty_database_url)
    migrate.upgrade(engine)
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        users.add_user(session, "midwife.lead", "analyst", PASSWORD, NOW)
    yield sessions
    engine.dispose()


def test_sign_in_gives_a_session_that_lapses_when_idle_or_old(
    accounts: sessionmaker[Session],
) -> None:
    signed = users.sign_in(accounts, "midwife.lead", PASSWORD, "10.0.0.1", NOW)
    assert signed.role == "analyst"
    with accounts.begin() as session:
        user = users.session_user(session, signed.token, NOW + timedelta(minutes=29))
        assert user is not None
        assert user.name == "midwife.lead"
    with accounts.begin() as session:  # used at 29 minutes, so alive at 58
        assert users.session_user(session, signed.token, NOW + timedelta(minutes=58))
    with accounts.begin() as session:
        assert users.session_user(session, signed.token, NOW + timedelta(minutes=89)) is None

    other = users.sign_in(accounts, "midwife.lead", PASSWORD, "10.0.0.1", NOW)
    for minutes in range(25, 12 * 60, 25):  # kept busy, but 12 hours is the most
        with accounts.begin() as session:
            alive = users.session_user(session, other.token, NOW + timedelta(minutes=minutes))
        assert alive is not None
    with accounts.begin() as session:
        late = NOW + timedelta(hours=12, minutes=1)
        assert users.session_user(session, other.token, late) is None
    third = users.sign_in(accounts, "midwife.lead", PASSWORD, "10.0.0.1", NOW)
    with accounts.begin() as session:
        users.sign_out(session, third.token)
        assert users.session_user(session, third.token, NOW) is None


def test_wrong_passwords_are_throttled_by_name_and_by_address(
    accounts: sessionmaker[Session],
) -> None:
    for attempt in range(5):
        with pytest.raises(users.SignInRefused) as refused:
            users.sign_in(accounts, "midwife.lead", "guess", f"10.0.0.{attempt}", NOW)
        assert refused.value.retry_after_seconds == 0  # a plain "wrong name or password"
    with pytest.raises(users.SignInRefused) as throttled:
        users.sign_in(accounts, "midwife.lead", PASSWORD, "10.0.0.9", NOW)  # even the right one
    assert throttled.value.retry_after_seconds == 15 * 60
    assert users.sign_in(accounts, "midwife.lead", PASSWORD, "10.0.0.9", NOW + WINDOW)

    # One address trying many names is throttled too, whichever name it tries next.
    later = NOW + 2 * WINDOW
    for name in ("a1", "b2", "c3", "d4", "e5"):
        with pytest.raises(users.SignInRefused):
            users.sign_in(accounts, name, "guess", "192.0.2.7", later)
    with pytest.raises(users.SignInRefused) as by_address:
        users.sign_in(accounts, "midwife.lead", PASSWORD, "192.0.2.7", later)
    assert by_address.value.retry_after_seconds == 15 * 60
    assert users.sign_in(accounts, "midwife.lead", PASSWORD, "10.9.9.9", later)


@pytest.mark.parametrize(
    ("name", "role", "password", "message"),
    [
        ("midwife.lead", "viewer", PASSWORD, "exists already"),
        ("Bad Name", "viewer", PASSWORD, "name:"),
        ("someone", "superuser", PASSWORD, "role: one of viewer, analyst, admin"),
        ("someone", "viewer", "short", "password: at least 12 characters"),
    ],
)
def test_a_bad_user_is_refused_with_the_field(
    accounts: sessionmaker[Session], name: str, role: str, password: str, message: str
) -> None:
    with accounts.begin() as session, pytest.raises(users.AccountError, match=message):
        users.add_user(session, name, role, password, NOW)


def perinatal(url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PERINATAL_")}
    env["PERINATAL_DATABASE_URL"] = url
    return subprocess.run(
        [str(Path(sys.executable).parent / "perinatal"), *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_users_commands(accounts: sessionmaker[Session], empty_database_url: str) -> None:
    added = perinatal(
        empty_database_url,
        "users",
        "add",
        "hv.lead",
        "--role",
        "viewer",
        "--password-stdin",
        stdin="a long enough passphrase\n",
    )
    assert added.returncode == 0, added.stderr
    listed = perinatal(empty_database_url, "users", "list").stdout
    assert "hv.lead" in listed
    assert "midwife.lead" in listed
    with accounts() as session:
        stored = session.scalar(
            select(DashboardUser.password_hash).where(DashboardUser.name == "hv.lead")
        )
    assert stored is not None
    assert verify_password("a long enough passphrase", stored)

    weak = perinatal(
        empty_database_url,
        "users",
        "add",
        "x.y",
        "--role",
        "viewer",
        "--password-stdin",
        stdin="short\n",
    )
    assert weak.returncode == 2
    assert weak.stderr == "error: password: at least 12 characters\n"
    assert perinatal(empty_database_url, "users", "remove", "hv.lead").returncode == 0
    assert perinatal(empty_database_url, "users", "remove", "hv.lead").returncode == 4
