"""`perinatal demo`: the end-to-end demonstration on the embedded default database.

It runs every stage the product has, in order, on freshly generated data, then serves the
product. Each issue that adds a stage adds it here.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import click

from fhir_mappings.synthetic.files import HES_DELIVERIES_FILE, IMD_FILE, POSTCODE_LOOKUP_FILE
from fhir_mappings.synthetic.spec import SynthesisSpec
from service.cli.ingest import describe, ingest_extract, ingest_national
from service.cli.projection import issue_counts, load_reference_tables, refresh_projection
from service.cli.serve import run_server
from service.cli.state import CliState
from service.cli.synth import NATIONAL_FOLDERS, format_option, synthesis_options, synthesise
from service.config import Settings

pass_state = click.make_pass_decorator(CliState)
DEMO_DEFECT_RATE = 0.02
DEMO_EXTRACTS = {
    "maternity": "maternity_births_v1.csv",
    "neonatal": "neonatal_episodes_v1.csv",
    "health_visiting": "health_visiting_contacts_v1.csv",
}


def show_planted_events(state: CliState, truth: dict[str, Any]) -> None:
    """Whether each planted event shows on its chart, and what `perinatal indicators signals`
    would list."""
    from service.indicators.catalogue import load_catalogue
    from service.indicators.planted_events import findings

    with state.sessions()() as session:
        for line in findings(session, load_catalogue(), truth):
            months = line["months_flagged"]
            click.echo(
                f"    {line['id']}: {line['series']} "
                + (
                    f"shows {line['expected_signal']} in {len(months)} months from {months[0]}"
                    if months
                    else f"does NOT show {line['expected_signal']}"
                )
            )
    click.echo("    (`perinatal indicators signals` lists every chart signalling now)")


def run_alert_jobs(state: CliState, truth: dict[str, Any]) -> None:
    """The scheduler's jobs once, in-process: evaluate the alerts, deliver them, and evaluate
    again to show that a re-run sends nothing new."""
    from alerts.rules.definitions import load_rules
    from service.alerting.false_alarms import chance_tonight, describe_chance
    from service.alerting.planted import alert_findings
    from service.alerting.receivers import routing_for
    from service.cli.alerts import describe_delivery, describe_evaluation, describe_funnel
    from service.clock import utc_now
    from service.indicators.catalogue import load_catalogue
    from service.scheduling import tasks

    settings, sessions = state.settings, state.sessions()
    evaluated = tasks.evaluate(settings, sessions, utc_now)
    click.echo("    " + describe_evaluation(evaluated))
    click.echo("    " + describe_funnel(evaluated))
    with sessions() as session:
        click.echo("    " + describe_chance(chance_tonight(session, load_catalogue())))
    click.echo("    " + describe_delivery(tasks.deliver(settings, sessions, utc_now)))
    for receiver in routing_for(settings).receivers.values():
        places = [*receiver.email, receiver.teams_webhook_url or "", receiver.outbox_file or ""]
        click.echo(f"    receiver {receiver.name}: " + ", ".join(p for p in places if p))
    with sessions() as session:
        found = alert_findings(session, load_catalogue(), load_rules(), truth)
    for line in found.planted:
        raised = ", ".join(line["alerts"]) if line["found"] else "NO special-cause alert"
        click.echo(f"    planted {line['id']}: {line['series']} → {raised}")
    for line in found.inequalities:
        raised = ", ".join(line["alerts"]) if line["found"] else "NOT among the alerts"
        if not line["found"] and not line["shown"]:
            raised = "not among the alerts: the region's births do not show it significantly"
        click.echo(
            f"    planted inequality {line['indicator']}/{line['stratification']}/"
            f"{line['group']} ({line['designed_ratio']}×): {raised}"
        )
    click.echo(
        "    firing by rule: "
        + ", ".join(f"{rule} {n}" for rule, n in sorted(found.by_rule.items()))
    )
    unplanted = found.unplanted_special_cause
    click.echo(
        f"    special-cause alerts where nothing was planted: {len(unplanted)} of "
        f"{found.special_cause_series_watched:,} series ({found.false_positive_share:.1%}; "
        "a stable chart signals concern in its latest 3 months 2–3% of the time by chance)"
    )
    again = tasks.evaluate(settings, sessions, utc_now)
    click.echo(f"    the same job again: {len(again.queued)} new notifications")


DEMO_USER = "demo"


def demo_user(state: CliState) -> str:
    """A fresh dashboard user for the demo (an analyst: it may acknowledge and record), made
    again on each run; returns its password."""
    from service.accounts.users import add_user, remove_user
    from service.clock import utc_now
    from service.storage.models import DashboardUser

    password = secrets.token_urlsafe(12)
    with state.sessions().begin() as session:
        if session.get(DashboardUser, DEMO_USER) is not None:
            remove_user(session, DEMO_USER)
            session.flush()
        add_user(session, DEMO_USER, "analyst", password, utc_now())
    return password


def with_demo_token(settings: Settings) -> Settings:
    """The settings, with a fresh read-and-write token unless some are configured."""
    if settings.api_tokens:
        return settings
    token = secrets.token_urlsafe(24)
    return settings.model_copy(update={"api_tokens": {token: "system/*.read system/*.write"}})


@click.command()
@synthesis_options(default_defect_rate=DEMO_DEFECT_RATE)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write the extracts [default: DATA_DIR/demo].",
)
@click.option(
    "--serve/--no-serve",
    default=True,
    show_default=True,
    help="Serve the product after the stages have run.",
)
@format_option(
    "msds: read the region from national tables (MSDS v2, CSDS, the National Neonatal Data "
    "Set), not the reference extracts."
)
@pass_state
def demo(
    state: CliState, spec: SynthesisSpec, out_dir: Path | None, serve: bool, national_format: str
) -> None:
    """Generate data, run every stage on it, and serve the product."""
    from service.storage import migrate

    settings = state.settings
    out_dir = out_dir or settings.data_dir / "demo"

    click.echo(f"1/6 synthetic extracts → {out_dir}")
    msds = national_format == "msds"
    result = synthesise(spec, out_dir, msds=msds)
    for name, rows in result.truth["counts"]["extract_rows"].items():
        click.echo(f"    {name}: {rows:,} rows")
    for event in result.truth["injected_events"]:
        click.echo(f"    planted: {event['id']} from {event['start_month']}")

    click.echo(f"2/6 database → {settings.database_url}")
    engine = state.engine()
    migrate.upgrade(engine)
    click.echo(f"    schema at revision {migrate.current_revision(engine)}")

    click.echo("3/6 reference tables (postcode → LSOA → IMD; HES deliveries)")
    load_reference_tables(
        state,
        out_dir / POSTCODE_LOOKUP_FILE,
        out_dir / IMD_FILE,
        out_dir / HES_DELIVERIES_FILE,
    )

    click.echo("4/6 ingest the extracts to FHIR, and project them for the indicators")
    for source, file_name in DEMO_EXTRACTS.items():
        if msds:
            folder = NATIONAL_FOLDERS[source]
            report = ingest_national(
                state, folder, out_dir / folder, None, None, None, project=False
            )
        else:
            report = ingest_extract(state, source, out_dir / file_name, None, project=False)
        click.echo("    " + describe(report).replace("\n", "\n    "))
    # Once for all three extracts: each family is linked and projected a single time.
    click.echo("    " + refresh_projection(state).replace("\n", "\n    "))
    click.echo("    data-quality issues between the systems:")
    for rule, count in issue_counts(state).items():
        click.echo(f"      {rule}: {count:,}")

    click.echo("5/6 indicators, SPC and inequalities (computed above, with the projection)")
    show_planted_events(state, result.truth)

    click.echo("6/6 alerts: the scheduler's jobs once (evaluate, deliver)")
    run_alert_jobs(state, result.truth)

    if serve:
        settings = with_demo_token(settings)
        token = next(iter(settings.api_tokens))
        click.echo(f"    FHIR API token (read and write): {token}")
        click.echo(
            f"    try: curl -H 'Authorization: Bearer {token}' "
            f"http://{settings.host}:{settings.port}/fhir/Patient?_count=5"
        )
        password = demo_user(state)
        click.echo(
            f"    dashboard: http://{settings.host}:{settings.port}/dashboard "
            f"(user {DEMO_USER}, password {password})"
        )
        run_server(state, None, None, settings)
    else:
        click.echo("done (--no-serve: not serving)")
