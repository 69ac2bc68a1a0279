"""Typed settings, read from `PERINATAL_*` environment variables and an optional `.env` file.

Settings are validated once, when a command or the server starts; below this boundary the rest of
the code trusts the types. Nothing here connects to anything.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AnyHttpUrl,
    EmailStr,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from service.errors import ConfigurationError

ENV_PREFIX = "PERINATAL_"
# Never echoed back in an error message.
SECRET_SETTINGS = {"api_tokens", "smtp_password"}
DEFAULT_DATABASE_URL = "sqlite:///./var/perinatal.db"
SUPPORTED_DATABASE_SCHEMES = ("sqlite", "postgresql+psycopg")
# SMART App Launch system scopes: v1 (read, write, *) and v2 (letters of cruds).
SMART_SCOPE = re.compile(r"^system/(\*|[A-Z][A-Za-z]+)\.(read|write|\*|(?=[cruds])c?r?u?d?s?)$")


class Settings(BaseSettings):
    """Everything a deployment can configure. Each field is one `PERINATAL_<NAME>` variable."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
    )

    database_url: str = Field(
        DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL: SQLite (embedded default) or postgresql+psycopg://…",
    )
    data_dir: Path = Field(Path("./var"), description="Where the demo and exports write files.")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Log level of the service and the CLI."
    )
    host: str = Field("127.0.0.1", description="Address `perinatal serve` listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port `perinatal serve` listens on.")
    workers: int = Field(
        1, ge=1, le=64, description="Worker processes `perinatal serve` runs (one per core)."
    )
    public_base_url: AnyHttpUrl = Field(
        AnyHttpUrl("http://127.0.0.1:8000"),
        description="Base URL users reach the service at (links in alerts).",
    )
    scheduler_heartbeat_seconds: int = Field(
        30, ge=1, le=3600, description="How often `perinatal scheduler` records it is alive."
    )
    projection_refresh_seconds: int = Field(
        300,
        ge=10,
        le=86_400,
        description="How often `perinatal scheduler` projects resources written through the API.",
    )
    precedence_file: Path | None = Field(
        None,
        description="Reconciliation rules: which source system wins per field "
        "(default: the product's precedence.yaml).",
    )
    api_tokens: Annotated[dict[str, str], NoDecode] = Field(
        default_factory=dict,
        repr=False,
        description="FHIR API bearer tokens: a JSON object mapping each token to its "
        'space-separated SMART scopes, e.g. {"s3cret": "system/*.read system/*.write"}.',
    )
    bundle_max_entries: int = Field(
        1000, ge=1, le=100_000, description="Most entries a batch or transaction Bundle may hold."
    )
    request_max_bytes: int = Field(
        10 * 1024 * 1024,
        ge=1024,
        le=1024 * 1024 * 1024,
        description="Largest FHIR request body accepted, in bytes (413 beyond).",
    )
    smtp_host: str | None = Field(None, description="SMTP server for alert email.")
    smtp_port: int = Field(587, ge=1, le=65535, description="SMTP port.")
    smtp_user: str | None = Field(None, description="SMTP user name.")
    smtp_password: SecretStr | None = Field(None, description="SMTP password.")
    smtp_starttls: bool = Field(True, description="Upgrade the SMTP connection with STARTTLS.")
    alert_email_from: EmailStr | None = Field(None, description="Sender of alert email.")
    alert_email_to: Annotated[list[EmailStr], NoDecode] = Field(
        default_factory=list, description="Default alert recipients, comma-separated."
    )
    teams_webhook_url: AnyHttpUrl | None = Field(
        None, description="Microsoft Teams Workflows webhook for the default receiver."
    )
    teams_min_interval_seconds: float = Field(
        1.0, ge=0, le=60, description="Least time between two posts to one Teams webhook."
    )
    alert_routes_file: Path | None = Field(
        None,
        description="Alert routing (receivers and routes, YAML); without it, one default "
        "receiver from the SMTP and Teams settings.",
    )
    alert_outbox_file: Path | None = Field(
        None,
        description="Where alerts go when no email or Teams receiver is configured "
        "(default: DATA_DIR/alerts-outbox.jsonl).",
    )
    recompute_cron: str = Field(
        "0 2 * * *",
        description="When `perinatal scheduler` recomputes the indicators and evaluates the "
        "alerts (crontab, Europe/London).",
    )
    outbox_delivery_seconds: int = Field(
        60, ge=1, le=3600, description="How often `perinatal scheduler` delivers queued alerts."
    )
    accessibility_contact: str = Field(
        "",
        max_length=200,
        description="Where a dashboard user reports an accessibility problem (an email address "
        "or a contact form's address), named by the accessibility statement.",
    )
    dashboard_measures: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        max_length=8,
        description="The dashboard Overview's prioritised measures, most important first, "
        "comma-separated indicator ids (default: dashboard/pages.yaml).",
    )

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, url: str) -> str:
        scheme = url.split("://", 1)[0] if "://" in url else ""
        if scheme not in SUPPORTED_DATABASE_SCHEMES:
            raise ValueError("expected a URL starting sqlite:// or postgresql+psycopg://")
        return url

    @field_validator("recompute_cron")
    @classmethod
    def _crontab(cls, expression: str) -> str:
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(expression)
        except ValueError as error:
            raise ValueError(
                f"not a crontab expression (minute hour day month weekday): {error}"
            ) from None
        return expression

    @field_validator("api_tokens", mode="before")
    @classmethod
    def _json_object(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return json.loads(value) if value.strip() else {}
            except json.JSONDecodeError:
                raise ValueError(
                    'expected a JSON object of token to scopes, e.g. {"token": "system/*.read"}'
                ) from None
        return value

    @field_validator("api_tokens")
    @classmethod
    def _scoped_tokens(cls, tokens: dict[str, str]) -> dict[str, str]:
        for token, scopes in tokens.items():
            if len(token) < 8:
                raise ValueError("each API token must be at least 8 characters long")
            for scope in scopes.split():
                if not SMART_SCOPE.match(scope):
                    raise ValueError(
                        f"{scope!r} is not a SMART system scope such as system/*.read or "
                        "system/Patient.write"
                    )
        return tokens

    @field_validator("alert_email_to", "dashboard_measures", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value


def load_settings(**overrides: object) -> Settings:
    """Read and validate the settings, turning any error into one readable line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise ConfigurationError(describe_settings_error(error)) from None


def describe_settings_error(error: ValidationError) -> str:
    first = error.errors()[0]
    field = str(first["loc"][0]) if first["loc"] else "settings"
    variable = f"{ENV_PREFIX}{field.upper()}"
    reason = first["msg"].removeprefix("Value error, ")
    given = first.get("input")
    more = len(error.errors()) - 1
    suffix = f" (and {more} more)" if more else ""
    shown = (
        f" (got {given!r})"
        if isinstance(given, str | int | float) and field not in SECRET_SETTINGS
        else ""
    )
    return f"invalid setting {variable}: {reason}{shown}{suffix}"
