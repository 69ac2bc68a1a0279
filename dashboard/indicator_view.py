"""The indicator view the topic pages share: the SPC chart over time, the groups compared with
their traffic lights, a funnel plot for the chosen period, the table with a CSV download, the
notes that explain the numbers, and a plain-language line. Built once per browser session and
updated in place when a filter changes."""

from __future__ import annotations

import html
import io
from collections.abc import Sequence
from typing import Any

import panel as pn

from dashboard.charts.comparison import ComparisonChart
from dashboard.charts.funnel import FunnelChart
from dashboard.charts.spc import SpcChart, month_start
from dashboard.filters import ALL, EVERYONE, IndicatorFilters
from dashboard.narrative import TRIAL_POINTS, describe_chart
from dashboard.results import StoredResults
from dashboard.shell import html_pane
from dashboard.tables import html_table, month_table, scroll_region
from dashboard.theme import assurance, badge, variation
from service.indicators.catalogue import Indicator


def unit_words(per: int) -> str:
    return "%" if per == 100 else f"per {per:,}"


class IndicatorView:
    def __init__(self, results: StoredResults, filters: IndicatorFilters) -> None:
        self.results = results
        self.filters = filters
        self.spc = SpcChart()
        self.gap = SpcChart()
        self.gap_pane = pn.pane.Bokeh(self.gap.figure, sizing_mode="stretch_width", visible=False)
        self.comparison = ComparisonChart()
        self.funnel = FunnelChart()
        self.heading = html_pane("", sizing_mode="stretch_width")
        self.plain_language = html_pane("", sizing_mode="stretch_width")
        self.notice = html_pane("", sizing_mode="stretch_width")
        self.table = html_pane("", sizing_mode="stretch_width")
        self.notes = html_pane("", sizing_mode="stretch_width")
        self.download = pn.widgets.FileDownload(
            callback=self._csv,
            filename="indicator.csv",
            label="Download the table (CSV)",
            button_type="primary",
            embed=False,
        )
        self._months: list[dict[str, Any]] = []
        # Who the table is about, in words, for the download's first columns.
        self._who: dict[str, str] = {}
        self._refreshing = False
        self.widgets = pn.FlexBox(
            pn.widgets.Select.from_param(filters.param.indicator, width=260),
            pn.widgets.Select.from_param(filters.param.stratification, width=220),
            pn.widgets.Select.from_param(filters.param.stratum, width=200),
            pn.widgets.Select.from_param(filters.param.start, width=110),
            pn.widgets.Select.from_param(filters.param.end, width=110),
            pn.widgets.Select.from_param(filters.param.site, width=120),
            gap="0 8px",
            sizing_mode="stretch_width",
        )
        filters.param.watch(self.refresh, list(filters.param.values().keys() - {"name"}))
        self.refresh()

    def panel(self) -> pn.viewable.Viewable:
        return pn.Column(
            self.widgets,
            self.heading,
            self.plain_language,
            self.notice,
            pn.pane.Bokeh(self.spc.figure, sizing_mode="stretch_width"),
            self.gap_pane,
            pn.Row(
                pn.pane.Bokeh(self.comparison.figure, sizing_mode="stretch_width"),
                pn.pane.Bokeh(self.funnel.figure, sizing_mode="stretch_width"),
                sizing_mode="stretch_width",
            ),
            pn.Row(self.download),
            self.table,
            self.notes,
            sizing_mode="stretch_width",
        )

    def refresh(self, *_: Any) -> None:
        if self._refreshing:
            return  # a choice this refresh corrected, not the user's
        self._refreshing = True
        try:
            self._refresh()
        finally:
            self._refreshing = False

    def _refresh(self) -> None:
        f = self.filters
        catalogue = self.results.catalogue
        indicator = catalogue.indicator(f.indicator)
        unit = unit_words(indicator.per)
        grouped = self.results.series(f.indicator, f.stratification)
        groups = [s["stratum"] for s in grouped["strata"]]
        self._set_stratum_choices(groups)
        chart_of, stratum = self._charted(groups)
        series = self.results.series(f.indicator, chart_of)
        strata = {s["stratum"]: s for s in series["strata"]}
        charted = strata.get(stratum)
        months = [m for m in (charted or {}).get("months", []) if f.start <= m["period"] <= f.end]
        self._months = months
        marks = [
            i
            for i in series["interventions"]
            if i["stratification"] in (chart_of, "overall") and i["stratum"] in (stratum, ALL)
        ]
        names = {s["stratum"]: s.get("name", s["stratum"]) for s in series["strata"]}
        named = names.get(stratum, stratum)
        who = "everyone" if chart_of == "overall" else f"{named} ({_title(catalogue, chart_of)})"
        self._who = {
            "indicator": indicator.title,
            "grouped_by": _title(catalogue, chart_of),
            "group": "Everyone" if chart_of == "overall" else named,
            "group_code": "" if chart_of == "overall" or named == stratum else stratum,
        }
        self._gap(months, chart_of, stratum, named, series, indicator.title, unit, marks)
        self.spc.show(
            months,
            marks,
            title=f"{indicator.title}: {who}, by month",
            unit=unit,
            target=indicator.target.value if indicator.target else None,
        )
        self._heading(indicator, charted)
        self.plain_language.object = (
            f'<p class="plain-language" data-testid="plain-language">'
            f"{html.escape(describe_chart(months, indicator.title))}</p>"
        )
        self._notice(months, chart_of, f.stratification)
        self._compare(grouped, unit)
        caption = f"{indicator.title}, {who}: counts rounded to the nearest 5"
        self.table.object = scroll_region(html_table(month_table(months), caption), caption)
        self.download.filename = f"{f.indicator}-{chart_of}-{stratum}.csv".replace(" ", "_")
        self._notes(grouped.get("notes", []), stratum)

    def _gap(
        self,
        months: list[dict[str, Any]],
        chart_of: str,
        stratum: str,
        group: str,
        series: dict[str, Any],
        title: str,
        unit: str,
        marks: list[dict[str, Any]],
    ) -> None:
        """The gap chart under a group's own: its rate minus the reference group's, month by
        month, with its mean and limits, so a widening inequality shows as a signal."""
        reference = series.get("reference")
        shown = chart_of != "overall" and stratum not in (ALL, reference)
        gap_months = [
            {
                **month,
                "rate": month.get("gap"),
                "centre": month.get("gap_centre"),
                "lower_limit": month.get("gap_lower"),
                "upper_limit": month.get("gap_upper"),
                "point_type": month.get("gap_point_type") or "common_cause",
                "ci_lower": None,
                "ci_upper": None,
                "rebase_group": 0,
            }
            for month in months
            if "gap_point_type" in month
        ]
        self.gap_pane.visible = shown and bool(gap_months)
        if not self.gap_pane.visible:
            return
        self.gap.show(
            gap_months,
            marks,
            title=(
                f"{title}: the gap between {group} and {series.get('reference_name') or reference}"
                f" ({unit}, the group's rate minus the reference's), by month"
            ),
            unit=unit,
            target=None,
        )

    def _set_stratum_choices(self, groups: Sequence[str]) -> None:
        f = self.filters
        stratification = self.results.catalogue.stratifications.get(f.stratification)
        objects = {
            EVERYONE: ALL,
            **{(stratification.name_of(g) if stratification else g): g for g in groups},
        }
        if f.param["stratum"].objects != list(objects.values()):
            f.param["stratum"].objects = objects
            if f.stratum not in objects:
                f.stratum = ALL

    def _charted(self, groups: Sequence[str]) -> tuple[str, str]:
        f = self.filters
        if f.stratum != ALL and f.stratification != "overall":
            return f.stratification, f.stratum
        if f.site != ALL:
            return "site", f.site
        return "overall", ALL

    def _heading(self, indicator: Indicator, charted: dict[str, Any] | None) -> None:
        kind = (charted or {}).get("variation")
        window = (charted or {}).get("window") or {}
        latest = (
            f"{window['rate']:,.1f} (95% CI {window['ci_lower']:,.1f} to {window['ci_upper']:,.1f})"
            if window.get("rate") is not None and window.get("ci_lower") is not None
            else "not shown"
        )
        target = indicator.target
        against = (
            f" against the target of {target.value:,g} {unit_words(indicator.per)} "
            f"({html.escape(target.source)})"
            if target
            else ""
        )
        self.heading.object = (
            f"<h2>{html.escape(indicator.title)}</h2><p>{html.escape(indicator.description)}</p>"
            f"<p>Latest month: {badge(variation(kind))} "
            f"Latest 12 months: <strong>{latest}</strong></p>"
            f"<p>{badge(assurance((charted or {}).get('assurance')))}{against}</p>"
        )

    def _notice(self, months: Sequence[dict[str, Any]], chart_of: str, compare: str) -> None:
        notes = []
        charted = [m for m in months if m.get("centre") is not None]
        if charted and len(charted) < TRIAL_POINTS:
            notes.append(
                f"Trial limits: the chart has only {len(charted)} months (fewer than "
                f"{TRIAL_POINTS}); its limits may move as months are added."
            )
        if self.filters.site != ALL and compare not in ("overall", "site"):
            notes.append(
                "The group comparison below is across all sites: results are not stored by "
                "site and group together."
            )
        self.notice.object = "".join(f'<p class="notice">{html.escape(n)}</p>' for n in notes)

    def _compare(self, grouped: dict[str, Any], unit: str) -> None:
        f = self.filters
        strata = [s for s in grouped["strata"] if f.stratification != "overall"]
        title = _title(self.results.catalogue, f.stratification)
        self.comparison.show(
            strata,
            grouped["reference"],
            title=f"By {title.lower()}, latest 12 months",
            unit=unit,
        )
        view: dict[str, Any] = {"groups": []}
        if f.stratification != "overall" and f.start and f.end:
            view = self.results.funnel(
                f.indicator, f.stratification, month_start(f.start), month_start(f.end)
            )
        self.funnel.show(view, title=f"Funnel plot, {f.start} to {f.end}", unit=unit)

    def _notes(self, notes: Sequence[dict[str, Any]], stratum: str) -> None:
        shown = [n for n in notes if stratum == ALL or n.get("stratum") in (stratum, None, ALL)]
        items = [
            f"<li><strong>{html.escape(n['kind'].capitalize())}</strong>"
            f"{' (' + html.escape(n['period']) + ')' if n.get('period') else ''}: "
            f"{html.escape(n['text'])}</li>"
            for n in shown[:10]
        ]
        self.notes.object = "<h3>Narratives and feedback</h3>" + (
            f"<ul>{''.join(items)}</ul>" if items else "<p>No notes on this indicator yet.</p>"
        )

    def _csv(self) -> io.StringIO:
        buffer = io.StringIO()
        table = month_table(self._months)
        for position, (column, value) in enumerate(self._who.items()):
            table.insert(position, column, value)
        table.to_csv(buffer, index=False)
        buffer.seek(0)
        return buffer


def _title(catalogue: Any, stratification: str) -> str:
    return str(catalogue.stratifications[stratification].title)
