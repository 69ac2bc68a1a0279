"""Where alerts go: the routing file if one is configured, otherwise one default receiver made
from the settings alone (email and Teams when set; the local outbox file when neither is)."""

from __future__ import annotations

from alerts.routing import Receiver, Routing, RoutingError, load_routing
from service.config import Settings
from service.errors import ConfigurationError

DEFAULT_RECEIVER = "default"


def outbox_file_of(settings: Settings) -> str:
    return str(settings.alert_outbox_file or settings.data_dir / "alerts-outbox.jsonl")


def routing_for(settings: Settings) -> Routing:
    if settings.alert_routes_file is not None:
        try:
            routing = load_routing(settings.alert_routes_file)
        except RoutingError as error:
            raise ConfigurationError(f"alert routing: {error}") from None
    else:
        routing = Routing({DEFAULT_RECEIVER: default_receiver(settings)}, (), DEFAULT_RECEIVER)
    _check_email_settings(routing, settings)
    return routing


def default_receiver(settings: Settings) -> Receiver:
    email = tuple(settings.alert_email_to) if settings.smtp_host else ()
    webhook = str(settings.teams_webhook_url) if settings.teams_webhook_url else None
    return Receiver(
        name=DEFAULT_RECEIVER,
        email=email,
        teams_webhook_url=webhook,
        fhir_subscribers=True,
        outbox_file=None if email or webhook else outbox_file_of(settings),
    )


def _check_email_settings(routing: Routing, settings: Settings) -> None:
    emailing = [r.name for r in routing.receivers.values() if r.email]
    if emailing and not (settings.smtp_host and settings.alert_email_from):
        raise ConfigurationError(
            f"alert routing: receiver {emailing[0]} sends email, so set PERINATAL_SMTP_HOST "
            "and PERINATAL_ALERT_EMAIL_FROM"
        )
