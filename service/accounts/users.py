"""Users and sessions in the database. A session token is random, shown to the browser once
and stored only as its SHA-256; it lapses after `IDLE` without use and `LONGEST` after sign-in."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session, sessionmaker

from service.accounts.passwords import check_strength, hash_password, verify_password
from service.accounts.throttle import WINDOW, may_try
from service.errors import InputError, PerinatalError
from service.storage.models import DashboardSession, DashboardUser, SignInAttempt

Role = Literal["viewer", "analyst", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "analyst", "admin")
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
IDLE = timedelta(minutes=30)
LONGEST = timedelta(hours=12)


class AccountError(PerinatalError):
    exit_code = 2


class SignInRefused(Exception):  # noqa: N818 - an outcome, not a fault
    """Wrong name or password (never saying which), or throttled."""

    def __init__(self, retry_after_seconds: int = 0) -> None:
        super().__init__("too many attempts" if retry_after_seconds else "wrong name or password")
        self.retry_after_seconds = retry_after_seconds


@dataclass(frozen=True)
class SignedIn:
    name: str
    role: Role
    token: str  # give to the browser; never stored


def add_user(session: Session, name: str, role: str, password: str, now: datetime) -> None:
    if not NAME.match(name):
        raise AccountError("name: 2–64 lower-case letters, digits, '.', '_' or '-'")
    if role not in ROLES:
        raise AccountError(f"role: one of {', '.join(ROLES)}")
    try:
        check_strength(password)
    except ValueError as error:
        raise AccountError(str(error)) from None
    if session.get(DashboardUser, name) is not None:
        raise AccountError(f"name: a user {name!r} exists already")
    session.add(
        DashboardUser(
            name=name,
            role=role,
            password_hash=hash_password(password, secrets.token_bytes(16)),
            created_at=now,
        )
    )


def list_users(session: Session) -> list[DashboardUser]:
    return list(session.scalars(select(DashboardUser).order_by(DashboardUser.name)))


def remove_user(session: Session, name: str) -> None:
    user = session.get(DashboardUser, name)
    if user is None:
        raise InputError(f"no user {name!r}")
    session.execute(delete(DashboardSession).where(DashboardSession.user_name == name))
    session.delete(user)


def sign_in(
    sessions: sessionmaker[Session], name: str, password: str, address: str, now: datetime
) -> SignedIn:
    """The attempt is recorded in its own transaction, so a refusal still counts."""
    with sessions.begin() as session:
        failures = session.scalars(
            select(SignInAttempt.at).where(
                SignInAttempt.succeeded.is_(False),
                SignInAttempt.at > now - WINDOW,
                or_(SignInAttempt.user_name == name, SignInAttempt.address == address),
            )
        ).all()
        verdict = may_try(failures, now)
        if not verdict.allowed:
            raise SignInRefused(verdict.retry_after_seconds)
        user = session.get(DashboardUser, name)
        signed = None
        if user is not None and verify_password(password, user.password_hash):
            token = secrets.token_urlsafe(32)
            session.add(
                DashboardSession(
                    token_hash=_digest(token), user_name=name, created_at=now, last_seen_at=now
                )
            )
            signed = SignedIn(name, user.role, token)  # type: ignore[arg-type]
        session.add(
            SignInAttempt(
                user_name=name[:64], address=address[:64], at=now, succeeded=signed is not None
            )
        )
    if signed is None:
        raise SignInRefused()
    return signed


def session_user(session: Session, token: str, now: datetime) -> DashboardUser | None:
    """The user a live session belongs to (renewing its idle time), or None."""
    row = session.get(DashboardSession, _digest(token))
    if row is None:
        return None
    if now - row.last_seen_at > IDLE or now - row.created_at > LONGEST:
        session.delete(row)
        return None
    row.last_seen_at = now
    return session.get(DashboardUser, row.user_name)


def sign_out(session: Session, token: str) -> None:
    session.execute(delete(DashboardSession).where(DashboardSession.token_hash == _digest(token)))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
