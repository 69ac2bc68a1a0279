"""The accessibility statement (`/dashboard/accessibility`), as the public sector accessibility
regulations ask of every NHS service: what meets WCAG 2.2 AA, what does not yet and why, how to
report a problem, and the enforcement procedure. Open without signing in, like the sign-in page
that links to it. Its words are in `accessibility_statement.html`; the deployment names where
problems are reported (`PERINATAL_ACCESSIBILITY_CONTACT`)."""

from __future__ import annotations

import html
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from dashboard.auth import ACCESSIBILITY
from dashboard.plain_page import plain_page

STATEMENT = Path(__file__).with_name("accessibility_statement.html")
NO_CONTACT = "ask the team that gave you your sign-in, who run this dashboard"

router = APIRouter(include_in_schema=False)


def contact_words(contact: str) -> str:
    """An email address or a web address as a link; anything else as words."""
    contact = contact.strip()
    if not contact:
        return NO_CONTACT
    shown = html.escape(contact)
    if "@" in contact and " " not in contact and not contact.startswith("http"):
        return f'email <a href="mailto:{shown}">{shown}</a>'
    if contact.startswith(("https://", "http://")):
        return f'use <a href="{shown}">the contact form</a>'
    return shown


@router.get(ACCESSIBILITY)
def accessibility_statement(request: Request) -> HTMLResponse:
    contact = contact_words(request.app.state.settings.accessibility_contact)
    return plain_page(
        "Accessibility statement", STATEMENT.read_text().replace("{contact}", contact)
    )
