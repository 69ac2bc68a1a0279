"""`perinatal users …`: who may sign in to the dashboard, and with which role."""

from __future__ import annotations

import sys

import click

from service.cli.state import CliState

pass_state = click.make_pass_decorator(CliState)


@click.group()
def users() -> None:
    """Dashboard users: viewer (reads), analyst (also acknowledges, silences, records
    interventions and notes), admin (also manages users)."""


@users.command()
@click.argument("name")
@click.option("--role", type=click.Choice(["viewer", "analyst", "admin"]), required=True)
@click.option(
    "--password-stdin",
    is_flag=True,
    required=True,
    help="Read the password from standard input (never from the command line, where other "
    "users of the machine and the shell history would see it).",
)
@pass_state
def add(state: CliState, name: str, role: str, password_stdin: bool) -> None:
    """Add a user (password at least 12 characters, read from stdin)."""
    from service.accounts.users import add_user
    from service.clock import utc_now

    password = sys.stdin.readline().rstrip("\r\n")
    with state.sessions().begin() as session:
        add_user(session, name, role, password, utc_now())
    click.echo(f"user {name} added ({role})")


@users.command("list")
@pass_state
def list_users(state: CliState) -> None:
    """The users and their roles."""
    from service.accounts.users import list_users as listed

    with state.sessions()() as session:
        rows = listed(session)
        for user in rows:
            click.echo(f"{user.name:<24} {user.role:<8} added {user.created_at:%Y-%m-%d}")
    click.echo(f"{len(rows)} users")


@users.command()
@click.argument("name")
@pass_state
def remove(state: CliState, name: str) -> None:
    """Remove a user and end their sessions."""
    from service.accounts.users import remove_user

    with state.sessions().begin() as session:
        remove_user(session, name)
    click.echo(f"user {name} removed")
