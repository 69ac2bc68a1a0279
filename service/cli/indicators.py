"""`perinatal compute`, `perinatal indicators` and `perinatal interventions`: the numbers
clinicians act on, from the command line. What is printed is disclosure-controlled."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from service.cli.state import CliState
from service.errors import PerinatalError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

pass_state = click.make_pass_decorator(CliState)


def _sessions(state: CliState) -> sessionmaker[Session]:
    return state.sessions()


@click.command()
@click.option(
    "--incremental", is_flag=True, help="Only recount the months changed since the last run."
)
@pass_state
def compute(state: CliState, incremental: bool) -> None:
    """Compute every indicator for every month and stratum, with its statistics and SPC."""
    click.echo(describe_compute(run_compute(_sessions(state), full=not incremental)))


class IndicatorsBusyError(PerinatalError):
    exit_code = 75  # EX_TEMPFAIL: try again later


def run_compute(sessions: sessionmaker[Session], *, full: bool) -> Any:
    from service.clock import utc_now
    from service.indicators.run import compute_when_free

    report = compute_when_free(sessions, now=utc_now, full=full)
    if report is None:
        raise IndicatorsBusyError(
            "the indicators are being computed by another process (the scheduler?); "
            "try again when it has finished"
        )
    return report


def describe_compute(report: Any) -> str:
    if report.run_id is None:
        return "indicators: nothing changed since the last run"
    return (
        f"indicators: {report.kind} run {report.run_id}: {report.months_counted} months counted, "
        f"{report.series_written:,} series in {report.seconds:.1f} s"
    )


@click.group()
def indicators() -> None:
    """The indicator catalogue and the latest results."""


@indicators.command("list")
@pass_state
def list_indicators(state: CliState) -> None:
    """Every indicator: latest variation, the latest 12 months' rate and the worst disparity."""
    from service.indicators.catalogue import load_catalogue
    from service.indicators.published import overview

    with _sessions(state)() as session:
        lines = overview(session, load_catalogue())
    for line in lines:
        if not line["computed"]:
            click.echo(f"{line['id']:<32} not computed yet (run `perinatal compute`)")
            continue
        window = line["window"]
        click.echo(
            f"{line['id']:<32} {_rate(window['rate'], line['unit']):>14}  "
            f"{window['numerator']:>6,}/{window['denominator']:<7,} "
            f"{line['variation']:<28} disparity {line['worst_disparity'] or '-'}"
        )


@indicators.command()
@click.argument("indicator_id")
@click.option("--stratification", default="overall", show_default=True)
@pass_state
def show(state: CliState, indicator_id: str, stratification: str) -> None:
    """One indicator by one stratification: each group's latest 12 months against the
    reference group, and its chart's latest point."""
    from service.indicators.catalogue import load_catalogue
    from service.indicators.published import series_view

    with _sessions(state)() as session:
        view = series_view(session, load_catalogue(), indicator_id, stratification)
    unit = view["indicator"]["unit"]
    click.echo(f"{view['indicator']['title']} by {stratification} ({unit})")
    for stratum in view["strata"]:
        window = stratum["window"]
        ratio = (
            "reference"
            if window["reference"]
            else f"ratio {window['ratio']:.2f}"
            if window["ratio"] is not None
            else ""
        )
        click.echo(
            f"  {stratum['stratum']:<22} {_rate(window['rate'], unit):>14} "
            f"{window['numerator']:>6,}/{window['denominator']:<7,} {ratio:<14} "
            f"{window['traffic_light'] or '-':<6} {stratum['variation']}"
            + (f" ({window['not_shown_because']})" if window["not_shown_because"] else "")
        )
    for mark in view["interventions"]:
        click.echo(f"  intervention {mark['id']} on {mark['date']}: {mark['description']}")
    for note in view["notes"]:
        about = "" if note["stratification"] == "overall" else f" [{note['stratum']}]"
        when = f" {note['period']}" if note["period"] else ""
        themes = f" (themes: {', '.join(note['themes'])})" if note["themes"] else ""
        click.echo(f"  {note['kind']}{about}{when}: {note['text']}{themes}")


@indicators.command()
@pass_state
def signals(state: CliState) -> None:
    """Charts whose latest point is special-cause concern, and groups with a red light."""
    from service.indicators import store

    with _sessions(state)() as session:
        for row in store.series_rows(session):
            if row.latest_point_type == "special_cause_concern" or row.window_rag == "red":
                what = []
                if row.latest_point_type == "special_cause_concern":
                    what.append(f"special-cause concern in {row.latest_period}")
                if row.window_rag == "red":
                    what.append("significantly worse than the reference group")
                click.echo(
                    f"{row.indicator_id:<30} {row.stratification}={row.stratum}: " + "; ".join(what)
                )


def _rate(rate: float | None, unit: str) -> str:
    if rate is None:
        return "not shown"
    return f"{rate:.1f}{'%' if unit == '%' else ' ' + unit}"


@click.group()
def interventions() -> None:
    """Interventions: markers on an indicator's chart, and whether the concern reduced."""


@interventions.command("add")
@click.option("--indicator", "indicator_id", required=True)
@click.option("--date", "started_on", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--description", required=True)
@click.option("--owner", required=True, help="Who leads it (a role or team, not a patient).")
@click.option("--stratification", default="overall", show_default=True)
@click.option("--stratum", default="all", show_default=True)
@click.option("--rebase", is_flag=True, help="Restart the chart's limits from that month.")
@pass_state
def add_intervention(
    state: CliState,
    indicator_id: str,
    started_on: Any,
    description: str,
    owner: str,
    stratification: str,
    stratum: str,
    rebase: bool,
) -> None:
    """Record an intervention (recomputes the indicators when it rebases a chart)."""
    from service.clock import utc_now
    from service.indicators.intervention_log import record_intervention

    intervention = record_intervention(
        _sessions(state),
        now=utc_now,
        indicator_id=indicator_id,
        started_on=started_on.date(),
        description=description,
        owner=owner,
        stratification=stratification,
        stratum=stratum,
        rebase=rebase,
        recorded_by="command line",
    )
    click.echo(f"intervention {intervention['id']} recorded for {indicator_id}")


@interventions.command("list")
@click.option("--indicator", "indicator_id")
@pass_state
def list_interventions(state: CliState, indicator_id: str | None) -> None:
    """The interventions recorded, oldest first."""
    from service.indicators import store

    with _sessions(state)() as session:
        for item in store.interventions(session, indicator_id):
            where = (
                ""
                if item.stratification == "overall"
                else f" [{item.stratification}={item.stratum}]"
            )
            click.echo(
                f"{item.id:>4} {item.started_on} {item.indicator_id}{where}"
                f"{' (rebased)' if item.rebase else ''}: {item.description} — {item.owner}"
            )


@interventions.command("report")
@click.argument("intervention_id", type=int)
@pass_state
def report_intervention(state: CliState, intervention_id: int) -> None:
    """Before and after an intervention: means, rates, their ratio, and the SPC verdict."""
    from service.indicators.catalogue import load_catalogue
    from service.indicators.published import intervention_report

    with _sessions(state)() as session:
        result = intervention_report(session, load_catalogue(), intervention_id)
    mark, report = result["intervention"], result["report"]
    click.echo(f"{mark['indicator']} — {mark['description']} (from {mark['date']})")
    if report is None:
        click.echo("  no results for this chart yet (run `perinatal compute`)")
        return
    for label, key in (("mean of monthly rates", "mean"), ("rate", "rate")):
        before, after = report[f"{key}_before"], report[f"{key}_after"]
        click.echo(f"  {label:<22} before {_number(before):>9}   after {_number(after):>9}")
    if report["ratio"] is not None:
        click.echo(
            f"  after / before         {report['ratio']:.2f} "
            f"({_number(report['ratio_lower'])} to {_number(report['ratio_upper'])})"
        )
    click.echo(f"  {report['summary']}")


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


@click.group()
def notes() -> None:
    """Narrative notes and service-user feedback that explain an indicator's numbers."""


@notes.command("add")
@click.option("--indicator", "indicator_id", required=True)
@click.option("--kind", type=click.Choice(["narrative", "feedback"]), default="narrative")
@click.option("--text", required=True, help="The note (no names or other identifiers).")
@click.option("--stratification", default="overall", show_default=True)
@click.option("--stratum", default="all", show_default=True)
@click.option("--period", help="The month it is about, YYYY-MM.")
@click.option("--theme", "themes", multiple=True, help="A theme (repeat for several).")
@click.option("--author", help="A role or team.")
@pass_state
def add_note(
    state: CliState,
    indicator_id: str,
    kind: str,
    text: str,
    stratification: str,
    stratum: str,
    period: str | None,
    themes: tuple[str, ...],
    author: str | None,
) -> None:
    """Store a note as a FHIR QuestionnaireResponse about the indicator."""
    from fhir_mappings.fhir.notes import Note
    from service.clock import utc_now
    from service.indicators.notes import add_note as store_note

    note_id = store_note(
        _sessions(state),
        Note(
            id=None,
            indicator_id=indicator_id,
            kind=kind,
            text=text,
            stratification=stratification,
            stratum=stratum,
            period=period,
            themes=themes,
            author=author,
        ),
        now=utc_now,
    )
    click.echo(f"note stored as QuestionnaireResponse/{note_id}")


@notes.command("list")
@click.option("--indicator", "indicator_id", required=True)
@pass_state
def list_notes(state: CliState, indicator_id: str) -> None:
    """The notes on an indicator, newest first."""
    from service.indicators.notes import notes_for

    with _sessions(state)() as session:
        for note in notes_for(session, indicator_id):
            click.echo(
                f"{note['authored'][:10]} {note['kind']:<9} {note['stratification']}="
                f"{note['stratum']} {note['period'] or '':<7} {note['text']}"
                + (f" (themes: {', '.join(note['themes'])})" if note["themes"] else "")
            )
