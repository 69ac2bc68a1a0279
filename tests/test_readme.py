"""The README stays true: its first lines give the two commands, its configuration table lists
every setting, and its command table every command."""

from __future__ import annotations

from pathlib import Path

import click

from service.cli import cli
from service.config import ENV_PREFIX, Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_the_first_lines_give_the_demo_and_test_commands() -> None:
    first_lines = README.splitlines()[:5]
    assert first_lines[0].startswith("`make demo`")
    assert any(line.startswith("`make test`") for line in first_lines)


def test_every_setting_is_documented() -> None:
    for name in Settings.model_fields:
        assert f"| `{ENV_PREFIX}{name.upper()}` |" in README, name


def test_every_command_is_documented() -> None:
    for name, command in cli.commands.items():
        subcommands = command.commands if isinstance(command, click.Group) else {"": command}
        for sub in subcommands:
            assert f"`perinatal {name} {sub}".replace("  ", " ").rstrip() in README, (name, sub)
