"""Email: a multipart message (plain text and HTML, each alert's SPC chart inline as a PNG)
built purely, and a sender over SMTP with STARTTLS and authentication."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime
from html import escape

from alerts.notify.delivery import DeliveryResult, Outgoing, connection_failure
from alerts.notify.message import (
    AlertMessage,
    AlertNotice,
    evidence_lines,
    headline,
    notices_by_kind,
)

CHANNEL = "email"
CONTENT_TYPE = "message/rfc822"


def message_id(idempotency_key: str) -> str:
    """The same notification always has the same Message-ID, so a resend is recognisable."""
    return f"<{idempotency_key}@perinatal-equity>"


def chart_cid(fingerprint: str) -> str:
    return f"chart-{fingerprint}@perinatal-equity"


def wire_format(email: EmailMessage) -> str:
    """The message as sent: CRLF line endings, ASCII only."""
    return email.as_string(policy=SMTP_POLICY)


def build_email(
    message: AlertMessage,
    *,
    sender: str,
    recipients: Sequence[str],
    idempotency_key: str,
    sent_at: datetime,
    charts: Mapping[str, bytes],
    in_reply_to: Sequence[str] = (),
) -> EmailMessage:
    """`charts` maps an alert's fingerprint to its chart as PNG; alerts without one are listed
    without a picture. `in_reply_to` threads a resolved notice to the first one."""
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = sender
    email["To"] = ", ".join(recipients)
    email["Date"] = format_datetime(sent_at)
    email["Message-ID"] = message_id(idempotency_key)
    if in_reply_to:
        email["In-Reply-To"] = in_reply_to[0]
        email["References"] = " ".join(in_reply_to)
    # Quoted-printable keeps the whole message ASCII, so no server needs 8BITMIME or SMTPUTF8.
    email.set_content(plain_text(message), cte="quoted-printable")
    email.add_alternative(html(message, set(charts)), subtype="html", cte="quoted-printable")
    html_part = email.get_payload()[1]  # type: ignore[index]
    assert isinstance(html_part, EmailMessage)
    for fingerprint, png in charts.items():
        html_part.add_related(png, "image", "png", cid=f"<{chart_cid(fingerprint)}>")
    return email


def plain_text(message: AlertMessage) -> str:
    digest, more = message.digest
    lines = [f"Perinatal equity alerts, {message.run_label}", ""]
    counts = {heading: len(notices) for heading, notices in notices_by_kind(message)}
    for heading, notices in notices_by_kind(message, digest):
        lines += [f"{heading} ({counts[heading]})", "=" * (len(heading) + 5)]
        for notice in notices:
            lines += _notice_text(notice)
    if more:
        lines += [f"{more} more alerts, in priority order: {message.dashboard_url}", ""]
    lines += [f"Dashboard: {message.dashboard_url}", "", _FOOTER]
    return "\n".join(lines)


def _notice_text(notice: AlertNotice) -> list[str]:
    return [
        f"* [{notice.severity}] {headline(notice)}",
        *(f"  {line}" for line in evidence_lines(notice.evidence)),
        f"  Chart: {notice.chart_url}",
        *([f"  Acknowledge: {notice.acknowledge_url}"] if notice.kind != "resolved" else []),
        "",
    ]


def html(message: AlertMessage, charted: set[str]) -> str:
    digest, more = message.digest
    parts = [
        '<html><body style="font-family: Arial, sans-serif; color: #212b32">',
        f'<h1 style="font-size: 20px">Perinatal equity alerts, {escape(message.run_label)}</h1>',
    ]
    counts = {heading: len(notices) for heading, notices in notices_by_kind(message)}
    for heading, notices in notices_by_kind(message, digest):
        parts.append(f'<h2 style="font-size: 17px">{escape(heading)} ({counts[heading]})</h2>')
        parts += [_notice_html(notice, notice.fingerprint in charted) for notice in notices]
    if more:
        parts.append(
            f"<p>{more} more alerts, in priority order, on "
            f'<a href="{escape(message.dashboard_url)}">the dashboard</a>.</p>'
        )
    parts.append(
        f'<p><a href="{escape(message.dashboard_url)}">Open the dashboard</a></p>'
        f'<p style="font-size: 12px; color: #4c6272">{escape(_FOOTER)}</p></body></html>'
    )
    return "\n".join(parts)


def _notice_html(notice: AlertNotice, charted: bool) -> str:
    lines = "".join(f"<li>{escape(line)}</li>" for line in evidence_lines(notice.evidence))
    group = notice.stratum_title or notice.stratum
    picture = (
        f'<p><img src="cid:{chart_cid(notice.fingerprint)}" width="600" '
        f'alt="SPC chart: {escape(notice.indicator_title)}, {escape(group)}"></p>'
        if charted
        else ""
    )
    acknowledge = (
        f' · <a href="{escape(notice.acknowledge_url)}">Acknowledge</a>'
        if notice.kind != "resolved"
        else ""
    )
    return (
        '<div style="margin-bottom: 18px">'
        f"<p><strong>[{escape(notice.severity)}] {escape(headline(notice))}</strong></p>"
        f"<ul>{lines}</ul>{picture}"
        f'<p><a href="{escape(notice.chart_url)}">Open the chart</a>{acknowledge}</p></div>'
    )


_FOOTER = (
    "Aggregate figures only: counts are rounded to the nearest 5 and small numbers suppressed. "
    "This message holds no patient identifiers."
)


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    user: str | None = None
    password: str | None = None
    starttls: bool = True
    sender: str = "alerts@perinatal-equity.invalid"
    timeout_seconds: float = 30.0


class SmtpSender:
    """Sends a queued email as built. The TLS context is passed in, so tests can trust their
    own certificate authority; by default the system's trust store verifies the server."""

    channel = CHANNEL

    def __init__(self, settings: SmtpSettings, tls: ssl.SSLContext | None = None) -> None:
        self.settings = settings
        self.tls = tls or ssl.create_default_context()

    def send(self, outgoing: Outgoing) -> DeliveryResult:
        recipients = [r.strip() for r in outgoing.target.split(",") if r.strip()]
        settings = self.settings
        try:
            with smtplib.SMTP(
                settings.host, settings.port, timeout=settings.timeout_seconds
            ) as smtp:
                if settings.starttls:
                    smtp.starttls(context=self.tls)
                if settings.user and settings.password:
                    smtp.login(settings.user, settings.password)
                refused = smtp.sendmail(settings.sender, recipients, outgoing.payload.encode())
        except smtplib.SMTPResponseException as error:
            # 4xx replies are transient by definition (RFC 5321 §4.2.1); 5xx are permanent.
            return DeliveryResult(
                False,
                retryable=400 <= error.smtp_code < 500,
                status_code=error.smtp_code,
                error=f"SMTP {error.smtp_code}: {error.smtp_error!r}"[:300],
            )
        except smtplib.SMTPRecipientsRefused as error:
            return DeliveryResult(
                False, error=f"every recipient refused: {sorted(error.recipients)}"
            )
        except (OSError, smtplib.SMTPException) as error:
            return connection_failure(error)
        if refused:
            return DeliveryResult(True, error=f"refused for some recipients: {sorted(refused)}")
        return DeliveryResult.ok(250)
