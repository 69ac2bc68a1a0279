"""The filters of an indicator view: which indicator, which stratification to compare by, which
series to chart, the period and the site. They live in the URL, so a link (from an alert, or
copied by a colleague) opens the same view."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import param

ALL = "all"
EVERYONE = "Everyone (all groups)"
URL_NAMES = {
    "indicator": "indicator",
    "stratification": "stratification",
    "stratum": "stratum",
    "start": "from",
    "end": "to",
    "site": "site",
}


class IndicatorFilters(param.Parameterized):
    indicator = param.Selector(objects=[""], default="", label="Indicator")
    stratification = param.Selector(objects=[""], default="", label="Compare groups by")
    stratum = param.Selector(objects=[ALL], default=ALL, label="Chart of")
    start = param.Selector(objects=[""], default="", label="From")
    end = param.Selector(objects=[""], default="", label="To")
    site = param.Selector(objects=[ALL], default=ALL, label="Site")


def make_filters(
    indicators: Mapping[str, str],
    stratifications: Mapping[str, str],
    months: Sequence[str],
    sites: Mapping[str, str],
    query: Mapping[str, str],
    default_months: int = 36,
) -> IndicatorFilters:
    """Filters with their choices (id → title), set from the URL's query where its values are
    among them (anything else is ignored, so an old or edited link still opens a page)."""
    months = list(months) or [""]
    filters = IndicatorFilters()
    labelled: dict[str, dict[str, str]] = {
        "indicator": {title: key for key, title in indicators.items()},
        "stratification": {title: key for key, title in stratifications.items()},
        "start": {m: m for m in months},
        "end": {m: m for m in months},
        "site": {"All sites": ALL, **{name: code for code, name in sites.items()}},
    }
    choices = {name: list(objects.values()) for name, objects in labelled.items()}
    for name, objects in labelled.items():
        filters.param[name].objects = objects
    values: dict[str, Any] = {
        "indicator": next(iter(indicators)),
        "stratification": next(iter(stratifications)),
        "start": months[max(0, len(months) - default_months)],
        "end": months[-1],
        "site": ALL,
    }
    for name, url_name in URL_NAMES.items():
        given = query.get(url_name)
        if given is not None and name in choices and given in choices[name]:
            values[name] = given
    if values["start"] > values["end"]:
        values["start"], values["end"] = values["end"], values["start"]
    filters.param.update(**values)
    stratum = query.get("stratum")
    if stratum:
        # The groups are known only once the series are loaded; the view checks it then.
        filters.param["stratum"].objects = {EVERYONE: ALL, stratum: stratum}
        filters.stratum = stratum
    return filters


def query_of(session_args: Mapping[str, Sequence[bytes]]) -> dict[str, str]:
    """Bokeh's session arguments (lists of bytes) as a plain query."""
    return {k: v[0].decode(errors="replace") for k, v in session_args.items() if v}
