"""What "a group named by its code alone" is, for the tests that scan what users read (the
dashboard's pages, the alert emails and Teams cards, the CSV downloads): a group of a coded
stratification (ethnic category J, preferred language pl, deprivation quintile 1) shown as
its code, without the words the catalogue gives it. "Polish (pl)" is fine; "pl (preferred
language)" and a chart legend reading "J" are not."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from service.indicators.catalogue import load_catalogue


@cache
def coded_groups() -> dict[str, dict[str, str]]:
    """Per stratification title (lower case), each code whose words differ from it."""
    catalogue = load_catalogue()
    return {
        s.title.lower(): {code: name for code, name in s.names.items() if code != name}
        for s in catalogue.stratifications.values()
        if s.names
    }


def _every_code() -> set[str]:
    return {code for names in coded_groups().values() for code in names}


def codes_in_text(texts: Iterable[str]) -> list[str]:
    """Each place a text names a group as '<code> (<its stratification>)'."""
    titles = "|".join(re.escape(t) for t in sorted(coded_groups(), key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w:])([\w<>+-]{{1,6}}) \(({titles})\)", re.IGNORECASE)
    found = []
    for text in texts:
        for match in pattern.finditer(text):
            code, title = match.group(1), match.group(2).lower()
            if code in coded_groups()[title]:
                found.append(match.group(0))
    return found


def codes_as_labels(labels: Iterable[str], *, numbers: bool = True) -> list[str]:
    """Each label (a legend entry, a chart's category, a selector's option) that is a group's
    code and nothing else; `numbers=False` where a bare number may be something else (a
    selector of years)."""
    codes = {code for code in _every_code() if numbers or not code.isdigit()}
    return [label for label in labels if label.strip() in codes]
