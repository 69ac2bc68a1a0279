"""Real local receivers for the alert channels: an SMTP server with STARTTLS and
authentication (aiosmtpd, certificates from a throwaway CA), and an HTTP server that records
every POST and answers from a script (for Teams webhooks and FHIR rest-hook subscribers)."""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

from service.config import Settings
from tests.serving import free_port

SMTP_USER = "alerts"
SMTP_PASSWORD = "s3cret-password"


@dataclass
class ReceivedEmail:
    sender: str
    recipients: list[str]
    message: EmailMessage
    tls: bool
    authenticated_as: str | None


@dataclass
class MailServer:
    host: str
    port: int
    client_tls: ssl.SSLContext
    received: list[ReceivedEmail] = field(default_factory=list)


class _Handler:
    def __init__(self, server: MailServer) -> None:
        self.server = server

    async def handle_DATA(self, smtp: SMTP, session: Any, envelope: Any) -> str:  # noqa: N802
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.server.received.append(
            ReceivedEmail(
                envelope.mail_from,
                list(envelope.rcpt_tos),
                message,  # type: ignore[arg-type]
                tls=session.ssl is not None,
                authenticated_as=session.auth_data.login.decode() if session.auth_data else None,
            )
        )
        return "250 OK"


def _authenticate(
    server: Any, session: Any, envelope: Any, mechanism: str, auth: Any
) -> AuthResult:
    if isinstance(auth, LoginPassword) and (auth.login, auth.password) == (
        SMTP_USER.encode(),
        SMTP_PASSWORD.encode(),
    ):
        return AuthResult(success=True, auth_data=auth)
    return AuthResult(success=False, handled=False)


class _StartTlsController(Controller):
    def __init__(self, handler: Any, tls: ssl.SSLContext) -> None:
        super().__init__(handler, hostname="127.0.0.1", port=free_port())
        self.tls = tls

    def factory(self) -> SMTP:
        return SMTP(
            self.handler,
            hostname="localhost",
            tls_context=self.tls,
            require_starttls=True,
            auth_required=True,
            auth_require_tls=True,
            authenticator=_authenticate,
        )


def emailing_settings(server: MailServer, **changes: Any) -> Settings:
    """Settings that send alert email through `server`, logged in; `changes` override."""
    values: dict[str, Any] = {
        "smtp_host": server.host,
        "smtp_port": server.port,
        "smtp_user": SMTP_USER,
        "smtp_password": SMTP_PASSWORD,
        "alert_email_from": "alerts@example.nhs.uk",
        "alert_email_to": "team@example.nhs.uk",
    }
    return Settings(**{**values, **changes})


def mail_server() -> Iterator[MailServer]:
    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1", "localhost")
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate.configure_cert(server_tls)
    client_tls = ssl.create_default_context()
    authority.configure_trust(client_tls)
    controller = _StartTlsController(None, server_tls)
    server = MailServer("127.0.0.1", 0, client_tls)
    controller.handler = _Handler(server)
    controller.start()
    server.port = controller.port
    try:
        yield server
    finally:
        controller.stop()


@dataclass
class Post:
    path: str
    headers: dict[str, str]
    body: bytes
    answered: int | None = None  # the status sent back; None if the client went away first


@dataclass
class HttpReceiver:
    url: str
    posts: list[Post] = field(default_factory=list)
    # path → the answers to give, in order ((status, headers)); then 202 for ever.
    script: dict[str, list[tuple[int, dict[str, str]]]] = field(default_factory=dict)
    hang_on_post: int | None = None  # the n-th POST (1-based) is never answered
    hanging: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def accepted(self) -> list[Post]:
        return [p for p in self.posts if p.answered is not None and 200 <= p.answered < 300]


def http_receiver() -> Iterator[HttpReceiver]:
    receiver = HttpReceiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            post = Post(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            with receiver.lock:
                receiver.posts.append(post)
                number = len(receiver.posts)
                answers = receiver.script.get(self.path.split("?")[0], [])
                status, headers = answers.pop(0) if answers else (202, {})
            if receiver.hang_on_post == number:
                receiver.hanging.set()
                receiver.release.wait(30)
                return  # never answered: the client is killed meanwhile
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", "0")
                self.end_headers()
                post.answered = status
            except OSError:
                pass

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.release.set()
        server.shutdown()
        server.server_close()
