"""`perinatal alerts …`: evaluate and deliver by hand, list, acknowledge, resolve, silence, and
read the delivery log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import click

from service.cli.state import CliState

pass_state = click.make_pass_decorator(CliState)


@click.group()
def alerts() -> None:
    """Alerts on special-cause variation, disparities and data quality."""


def describe_evaluation(report: Any) -> str:
    changes = ", ".join(f"{n} {t}" for t, n in sorted(report.transitions.items())) or "no change"
    silenced = f", {report.silenced} silenced" if report.silenced else ""
    return (
        f"alerts evaluated over {report.series:,} series in {report.seconds['total']:.2f} s: "
        f"{changes}; {len(report.queued)} notifications queued{silenced}; "
        f"{report.firing} firing"
    )


FUNNEL_WORDS = {
    "raised": "raised",
    "after_multiplicity": "after the false discovery rate",
    "after_folding": "after hierarchy and inhibition",
    "after_effect_and_persistence": "after effect size and persistence",
    "notified": "notified",
}


def describe_funnel(report: Any) -> str:
    """The night's alert funnel in one line: how many signals each triage stage kept."""
    stages = [
        f"{report.funnel[k]:,} {words}" for k, words in FUNNEL_WORDS.items() if k in report.funnel
    ]
    return "alert funnel: " + " → ".join(stages)


def describe_delivery(report: Any) -> str:
    if not report.attempted:
        return "nothing due in the outbox"
    outcomes = ", ".join(f"{n} {o}" for o, n in sorted(report.outcomes.items()))
    return f"outbox: {outcomes} in {report.seconds:.2f} s"


@alerts.command()
@pass_state
def evaluate(state: CliState) -> None:
    """Evaluate the alert rules on the latest indicator results and queue notifications."""
    from service.clock import utc_now
    from service.scheduling import tasks

    click.echo(describe_evaluation(tasks.evaluate(state.settings, state.sessions(), utc_now)))


@alerts.command()
@pass_state
def deliver(state: CliState) -> None:
    """Deliver the notifications that are due (what the scheduler does every minute)."""
    from service.clock import utc_now
    from service.scheduling import tasks

    click.echo(describe_delivery(tasks.deliver(state.settings, state.sessions(), utc_now)))


@alerts.command("list")
@click.option("--status", type=click.Choice(["pending", "firing", "resolved"]))
@click.option("--indicator")
@click.option("--severity", type=click.Choice(["high", "medium", "low"]))
@pass_state
def list_alerts(
    state: CliState, status: str | None, indicator: str | None, severity: str | None
) -> None:
    """List alerts, newest change first."""
    from service.alerting.views import list_alerts as listed

    with state.sessions()() as session:
        rows = listed(session, status=status, indicator=indicator, severity=severity)
    for row in rows:
        acknowledged = " (acknowledged)" if row["acknowledged"] else ""
        click.echo(
            f"{row['fingerprint']}  {row['status']:<8} {row['severity']:<6} "
            f"{row['summary']}{acknowledged}"
        )
    click.echo(f"{len(rows)} alerts")


@alerts.command()
@click.argument("fingerprint")
@pass_state
def show(state: CliState, fingerprint: str) -> None:
    """One alert with its evidence and history."""
    from alerts.notify.message import evidence_lines
    from service.alerting.alert_store import alert_or_404
    from service.alerting.views import alert_history, alert_view

    with state.sessions()() as session:
        view = alert_view(alert_or_404(session, fingerprint))
        history = alert_history(session, fingerprint)
    click.echo(f"{view['summary']}\n  status {view['status']}, severity {view['severity']}")
    for line in evidence_lines(view["evidence"]):
        click.echo(f"  {line}")
    if view["acknowledged"]:
        click.echo(f"  acknowledged by {view['acknowledged_by']}: {view['acknowledgement'] or ''}")
    for event in history:
        actor = f" by {event['actor']}" if event["actor"] else ""
        click.echo(f"  {event['at']}  {event['change']}{actor}")


@alerts.command("ack")
@click.argument("fingerprint")
@click.option("--by", required=True, help="Who acknowledges it.")
@click.option("--comment", default=None)
@pass_state
def acknowledge(state: CliState, fingerprint: str, by: str, comment: str | None) -> None:
    """Acknowledge an alert: no more reminders while it fires."""
    from service.alerting.alert_store import acknowledge as ack
    from service.clock import utc_now

    with state.sessions().begin() as session:
        ack(session, fingerprint, by=by, comment=comment, now=utc_now())
    click.echo(f"acknowledged {fingerprint}")


@alerts.command()
@click.argument("fingerprint")
@click.option("--by", required=True, help="Who resolves it.")
@click.option("--comment", default=None)
@pass_state
def resolve(state: CliState, fingerprint: str, by: str, comment: str | None) -> None:
    """Resolve an alert by hand; the next period with the signal opens it again."""
    from service.alerting.alert_store import resolve_by_hand
    from service.clock import utc_now

    with state.sessions().begin() as session:
        resolve_by_hand(session, fingerprint, by=by, comment=comment, now=utc_now())
    click.echo(f"resolved {fingerprint}")


@alerts.command()
@click.option(
    "--match",
    "matchers",
    multiple=True,
    required=True,
    metavar="FIELD=VALUE",
    help="fingerprint, rule, indicator, stratification, stratum or severity (repeatable).",
)
@click.option("--hours", type=click.FloatRange(min=0.01), required=True, help="How long.")
@click.option("--reason", required=True)
@click.option("--author", required=True)
@pass_state
def silence(
    state: CliState, matchers: tuple[str, ...], hours: float, reason: str, author: str
) -> None:
    """Silence the alerts that match, for some hours."""
    from service.alerting.alert_store import add_silence

    parsed = {}
    for matcher in matchers:
        name, equals, value = matcher.partition("=")
        if not equals:
            raise click.BadParameter(f"{matcher!r}: expected FIELD=VALUE", param_hint="--match")
        parsed[name.strip()] = value.strip()
    now = datetime.now(UTC)
    with state.sessions().begin() as session:
        made = add_silence(
            session,
            matchers=parsed,
            ends_at=now + timedelta(hours=hours),
            reason=reason,
            author=author,
            now=now,
        )
        click.echo(f"silence {made.id} until {made.ends_at:%Y-%m-%d %H:%M} UTC")


@alerts.command()
@click.option("--outcome", type=click.Choice(["delivered", "retry", "failed"]))
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True)
@pass_state
def deliveries(state: CliState, outcome: str | None, limit: int) -> None:
    """The delivery log, newest first."""
    from service.alerting.views import delivery_log, outbox_counts

    with state.sessions()() as session:
        attempts = delivery_log(session, outcome=outcome, limit=limit)
        counts = outbox_counts(session)
    for a in attempts:
        status = f" {a['status_code']}" if a["status_code"] else ""
        error = f": {a['error']}" if a["error"] else ""
        click.echo(
            f"{a['at']}  {a['channel']:<9} {a['receiver']:<20} {a['outcome']}{status}{error}"
        )
    click.echo("outbox: " + (", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "empty"))
