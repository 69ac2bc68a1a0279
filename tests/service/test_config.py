"""Settings come from PERINATAL_* variables or .env, and a bad value is one readable line."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.config import DEFAULT_DATABASE_URL, Settings, load_settings
from service.errors import ConfigurationError


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No stray PERINATAL_* variable or .env of the developer's leaks into these tests."""
    for name in list(__import__("os").environ):
        if name.startswith("PERINATAL_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_the_embedded_default_is_sqlite_under_var() -> None:
    settings = load_settings()
    assert settings.database_url == DEFAULT_DATABASE_URL == "sqlite:///./var/perinatal.db"
    assert settings.port == 8000


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERINATAL_DATABASE_URL", "postgresql+psycopg://app@db:5432/perinatal")
    monkeypatch.setenv("PERINATAL_PORT", "8080")
    monkeypatch.setenv("PERINATAL_SMTP_STARTTLS", "false")
    monkeypatch.setenv("PERINATAL_ALERT_EMAIL_TO", "a@example.org, b@example.org")

    settings = load_settings()

    assert settings.database_url == "postgresql+psycopg://app@db:5432/perinatal"
    assert settings.port == 8080
    assert settings.smtp_starttls is False
    assert settings.alert_email_to == ["a@example.org", "b@example.org"]


def test_a_dotenv_file_is_read_and_the_environment_wins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text("PERINATAL_PORT=9001\nPERINATAL_LOG_LEVEL=DEBUG\n")
    monkeypatch.setenv("PERINATAL_LOG_LEVEL", "ERROR")

    settings = load_settings()

    assert settings.port == 9001
    assert settings.log_level == "ERROR"


def test_the_password_is_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERINATAL_SMTP_PASSWORD", "hunter2")
    settings = load_settings()
    assert "hunter2" not in repr(settings)
    assert settings.smtp_password is not None
    assert settings.smtp_password.get_secret_value() == "hunter2"


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        (
            "PERINATAL_DATABASE_URL",
            "mysql://root@localhost/x",
            "invalid setting PERINATAL_DATABASE_URL: expected a URL starting sqlite:// or "
            "postgresql+psycopg:// (got 'mysql://root@localhost/x')",
        ),
        (
            "PERINATAL_PORT",
            "eighty",
            "invalid setting PERINATAL_PORT: Input should be a valid "
            "integer, unable to parse string as an integer (got 'eighty')",
        ),
        (
            "PERINATAL_PORT",
            "70000",
            "invalid setting PERINATAL_PORT: Input should be less than "
            "or equal to 65535 (got '70000')",
        ),
        (
            "PERINATAL_LOG_LEVEL",
            "LOUD",
            "invalid setting PERINATAL_LOG_LEVEL: Input should be "
            "'DEBUG', 'INFO', 'WARNING' or 'ERROR' (got 'LOUD')",
        ),
        (
            "PERINATAL_ALERT_EMAIL_FROM",
            "not-an-address",
            "invalid setting "
            "PERINATAL_ALERT_EMAIL_FROM: value is not a valid email address: An email address must "
            "have an @-sign. (got 'not-an-address')",
        ),
    ],
)
def test_a_bad_value_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)

    with pytest.raises(ConfigurationError) as raised:
        load_settings()

    assert str(raised.value) == expected
    assert "\n" not in str(raised.value)


def test_settings_are_frozen() -> None:
    settings = Settings()
    with pytest.raises(ValueError, match="frozen"):
        settings.port = 1  # type: ignore[misc]
