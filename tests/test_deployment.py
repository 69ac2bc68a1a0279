"""Docker is not available here, so the deployment files are checked by reading them: every
command they run is a real `perinatal` command with real options, and every PERINATAL_*
variable they set is a real setting."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from service.cli import cli
from service.config import ENV_PREFIX, Settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def assert_real_command(argv: list[str]) -> None:
    assert argv[0] == "perinatal", argv
    # --help after the real options: click parses them all, so an unknown command or option
    # fails here exactly as it would in the container.
    result = CliRunner().invoke(cli, [*argv[1:], "--help"])
    assert result.exit_code == 0, f"{shlex.join(argv)}: {result.output}"


def test_the_services_the_product_needs_are_there(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"db", "app", "scheduler", "mail"}
    assert services["db"]["image"].startswith("postgres:16")
    assert "db-data:/var/lib/postgresql/data" in services["db"]["volumes"]


def test_every_service_command_is_a_real_perinatal_command(compose: dict[str, Any]) -> None:
    commands = [s["command"] for s in compose["services"].values() if "command" in s]
    assert len(commands) == 2
    for command in commands:
        assert_real_command(command if isinstance(command, list) else shlex.split(command))


def test_the_dockerfile_default_command_is_real() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    cmd = re.search(r"^CMD (\[.*\])$", dockerfile, re.MULTILINE)
    assert cmd is not None
    assert_real_command(yaml.safe_load(cmd.group(1)))


def test_every_perinatal_variable_is_a_real_setting(compose: dict[str, Any]) -> None:
    variables = {
        name
        for service in compose["services"].values()
        for name in (service.get("environment") or {})
        if name.startswith(ENV_PREFIX)
    }
    assert "PERINATAL_DATABASE_URL" in variables
    unknown = {
        v for v in variables if v.removeprefix(ENV_PREFIX).lower() not in Settings.model_fields
    }
    assert unknown == set()


def test_the_compose_environment_is_valid_settings(compose: dict[str, Any]) -> None:
    environment = compose["services"]["app"]["environment"]
    settings = Settings(**{k.removeprefix(ENV_PREFIX).lower(): v for k, v in environment.items()})
    assert settings.database_url.startswith("postgresql+psycopg://")
    assert settings.smtp_host == "mail"
