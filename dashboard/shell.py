"""What every page shares: the context it reads from (stored results, the database, the clock,
the signed-in user), the navigation bar, and HTML panes that carry the dashboard's styles (Panel
renders each pane in its own shadow root, so a page-wide stylesheet does not reach inside)."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import panel as pn
import yaml
from panel.theme import Design
from panel.theme.base import Inherit
from panel.viewable import Viewable
from sqlalchemy.orm import Session, sessionmaker

from dashboard.auth import ACCESSIBILITY, live_user, may
from dashboard.results import StoredResults
from dashboard.theme import CSS, FOCUS_CSS
from service.clock import Clock
from service.indicators.catalogue import Catalogue
from service.storage.models import DashboardUser

PAGES_FILE = Path(__file__).with_name("pages.yaml")
MOST_MEASURES = 8


class DashboardDesign(Design):
    """Panel's design, with the dashboard's focus style in every component's stylesheets."""

    modifiers = {Viewable: {"stylesheets": [Inherit, FOCUS_CSS]}}  # noqa: RUF012 - Panel's API


def html_pane(text: str = "", **options: Any) -> pn.pane.HTML:
    return pn.pane.HTML(text, stylesheets=[CSS], **options)


@dataclass(frozen=True)
class Topic:
    route: str
    title: str
    indicators: tuple[str, ...]
    stratifications: tuple[str, ...]
    gradient_table: bool = False
    care_days: bool = False
    cross_cutting: bool = False


@dataclass(frozen=True)
class PageCatalogue:
    measures: tuple[str, ...]
    topics: tuple[Topic, ...]

    def topic_of(self, indicator_id: str) -> Topic | None:
        """The indicator's home page: the first topic that lists it and is not a cross-cutting
        view (the deprivation page lists every indicator)."""
        listing = [t for t in self.topics if indicator_id in t.indicators]
        return next((t for t in listing if not t.cross_cutting), listing[0] if listing else None)


def load_pages(known_indicators: set[str], measures: list[str] | None = None) -> PageCatalogue:
    document = yaml.safe_load(PAGES_FILE.read_text())
    chosen = tuple(measures or document["overview"]["measures"])
    if len(chosen) > MOST_MEASURES:
        raise ValueError(f"overview measures: at most {MOST_MEASURES}, not {len(chosen)}")
    topics = tuple(
        Topic(
            route=t["route"],
            title=t["title"],
            indicators=tuple(t["indicators"]),
            stratifications=tuple(t["stratifications"]),
            gradient_table=bool(t.get("gradient_table")),
            care_days=bool(t.get("care_days")),
            cross_cutting=bool(t.get("cross_cutting")),
        )
        for t in document["topics"]
    )
    for name in [*chosen, *(i for t in topics for i in t.indicators)]:
        if name not in known_indicators:
            raise ValueError(f"dashboard pages: unknown indicator {name!r}")
    return PageCatalogue(chosen, topics)


@dataclass
class DashboardContext:
    app_state: Any  # the FastAPI app's state: its sessions exist once the lifespan has started
    results: StoredResults
    pages: PageCatalogue

    @property
    def sessions(self) -> sessionmaker[Session]:
        return self.app_state.sessions  # type: ignore[no-any-return]

    @property
    def clock(self) -> Clock:
        return self.app_state.clock  # type: ignore[no-any-return]

    def user(self) -> DashboardUser | None:
        return live_user(self.sessions, pn.state.cookies or {}, self.clock)

    def nav(self) -> list[tuple[str, str]]:
        return [
            ("/dashboard", "Overview"),
            *((f"/dashboard/{t.route}", t.title) for t in self.pages.topics),
            ("/dashboard/indicator", "All indicators"),
            ("/dashboard/national", "National measures"),
            ("/dashboard/data-quality", "Data quality"),
            ("/dashboard/alerts", "Alerts"),
            ("/dashboard/interventions", "Interventions"),
            ("/dashboard/voices", "Voices"),
            (ACCESSIBILITY, "Accessibility"),
        ]


def indicator_choice(catalogue: Catalogue) -> pn.widgets.Select:
    return pn.widgets.Select(
        name="Indicator", options={i.title: i.id for i in catalogue.indicators.values()}, width=300
    )


def groups_choice(catalogue: Catalogue) -> pn.widgets.Select:
    """Which groups a note or an intervention is about: everyone, or a stratification's."""
    options = {s.title: s.id for s in catalogue.stratifications.values()}
    return pn.widgets.Select(name="Groups", options=options, value="overall", width=260)


def main_heading(title: str) -> str:
    """A page's title, where the skip link lands (focusable by script, not by Tab)."""
    return f'<h1 id="{MAIN_CONTENT}" tabindex="-1">{html.escape(title)}</h1>'


MAIN_CONTENT = "main-content"
# Panel draws every pane in its own shadow root, and a fragment link does not reach into
# another root: the skip link finds the page's heading through the roots and moves focus there.
SKIP_TO_MAIN = (
    "const find = (root) => { for (const e of root.querySelectorAll('*')) {"
    f" if (e.id === '{MAIN_CONTENT}') return e;"
    " if (e.shadowRoot) { const f = find(e.shadowRoot); if (f) return f; } } return null; };"
    " const heading = find(document); if (heading) { heading.focus();"
    " heading.scrollIntoView(); } return false;"
)


def frame(context: DashboardContext, path: str, user: DashboardUser, *body: Any) -> pn.Column:
    current = ' aria-current="page"'
    links = "".join(
        f'<a href="{href}"{current if href == path else ""}>{title}</a>'
        for href, title in context.nav()
    )
    nav = html_pane(
        f'<a class="skip-link" href="#{MAIN_CONTENT}" onclick="{SKIP_TO_MAIN}">'
        "Skip to main content</a>"
        f'<nav class="site-nav" aria-label="Dashboard pages">{links}'
        f'<span class="who">{html.escape(user.name)} ({user.role})</span>'
        '<form method="post" action="/dashboard/sign-out" style="margin:0">'
        '<button type="submit">Sign out</button></form></nav>',
        sizing_mode="stretch_width",
        margin=0,
    )
    return pn.Column(nav, *body, sizing_mode="stretch_width", margin=(0, 0, 24, 0))


def signed_out() -> pn.viewable.Viewable:
    return html_pane(
        "<main><h1>Please sign in</h1><p>Your session has ended. "
        '<a href="/dashboard/sign-in">Sign in again</a>.</p></main>'
    )


def permitted(user: DashboardUser, needed: str) -> bool:
    return may(user.role, needed)
