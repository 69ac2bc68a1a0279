"""The channel senders, made from the settings. The HTTP client and the TLS context are passed
in (tests use their own certificate authority; the bench, local receivers)."""

from __future__ import annotations

import ssl
from collections.abc import Callable
from datetime import datetime

import httpx

from alerts.notify.delivery import Sender
from alerts.notify.email import SmtpSender, SmtpSettings
from alerts.notify.outbox_file import OutboxFileSender
from alerts.notify.rest_hook import RestHookSender
from alerts.notify.teams import TeamsSender
from service.config import Settings


def senders_for(
    settings: Settings,
    *,
    http: httpx.Client,
    now: Callable[[], datetime],
    tls: ssl.SSLContext | None = None,
) -> dict[str, Sender]:
    senders: list[Sender] = [
        TeamsSender(http, now=now, min_interval_seconds=settings.teams_min_interval_seconds),
        RestHookSender(http, now=now),
        OutboxFileSender(),
    ]
    if settings.smtp_host:
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
        smtp = SmtpSettings(
            host=settings.smtp_host,
            port=settings.smtp_port,
            user=settings.smtp_user,
            password=password,
            starttls=settings.smtp_starttls,
            sender=str(settings.alert_email_from or "alerts@perinatal-equity.invalid"),
        )
        senders.append(SmtpSender(smtp, tls))
    return {sender.channel: sender for sender in senders}


def http_client() -> httpx.Client:
    return httpx.Client(timeout=httpx.Timeout(30.0, connect=10.0), follow_redirects=False)
