"""Signing in to the dashboard: a plain HTML form (it works before any script loads), a session
cookie holding a random token (the database keeps only its digest), and a guard that sends a
browser without a live session to the form. Pages check the session again when they are built,
since a page's websocket is not an HTTP request the guard sees."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable, Mapping
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session, sessionmaker

from dashboard.plain_page import plain_page
from service.accounts.users import SignInRefused, session_user, sign_in, sign_out
from service.clock import Clock
from service.storage.models import DashboardUser

COOKIE = "perinatal_session"
HOME = "/dashboard"
SIGN_IN = "/dashboard/sign-in"
ACCESSIBILITY = "/dashboard/accessibility"
OPEN_PATHS = (SIGN_IN, "/dashboard/sign-out", ACCESSIBILITY)
ROLE_RANK = {"viewer": 0, "analyst": 1, "admin": 2}

router = APIRouter(include_in_schema=False)


def may(role: str, needed: str) -> bool:
    return ROLE_RANK.get(role, -1) >= ROLE_RANK[needed]


def live_user(
    sessions: sessionmaker[Session], cookies: Mapping[str, str], clock: Clock
) -> DashboardUser | None:
    """The signed-in user of these cookies (renewing the session's idle time), or None."""
    token = cookies.get(COOKIE)
    if not token:
        return None
    with sessions.begin() as session:
        user = session_user(session, token, clock())
        if user is not None:
            session.expunge(user)
        return user


def _safe_next(target: str | None) -> str:
    # Only this dashboard's own pages: never an open redirect to another site.
    if target and target.startswith(HOME) and not target.startswith("//"):
        return target
    return HOME


def _form(next_page: str, message: str = "", status: int = 200) -> HTMLResponse:
    error = f'<p class="error" role="alert">{html.escape(message)}</p>' if message else ""
    return plain_page(
        "Sign in",
        f"""<h1>Sign in</h1>{error}
<form method="post" action="{SIGN_IN}">
<input type="hidden" name="next" value="{html.escape(next_page)}">
<label for="name">User name</label>
<input id="name" name="name" autocomplete="username" required autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
<p><a href="{ACCESSIBILITY}">Accessibility statement</a></p>""",
        status=status,
        narrow=True,
    )


@router.get(SIGN_IN)
def sign_in_form(request: Request, next: str = HOME) -> HTMLResponse:
    return _form(_safe_next(next))


@router.post(SIGN_IN)
def sign_in_submit(
    request: Request,
    name: str = Form(""),
    password: str = Form(""),
    next: str = Form(HOME),
) -> Response:
    state = request.app.state
    address = request.client.host if request.client else "unknown"
    try:
        signed = sign_in(state.sessions, name.strip().lower(), password, address, state.clock())
    except SignInRefused as refused:
        if refused.retry_after_seconds:
            response: Response = _form(
                next,
                f"Too many attempts: try again in {refused.retry_after_seconds} seconds.",
                429,
            )
            response.headers["Retry-After"] = str(refused.retry_after_seconds)
            return response
        return _form(next, "Wrong user name or password.", 401)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        COOKIE,
        signed.token,
        httponly=True,
        samesite="lax",
        secure=str(state.settings.public_base_url).startswith("https"),
        path="/",
    )
    return response


@router.post("/dashboard/sign-out")
def sign_out_submit(request: Request) -> Response:
    token = request.cookies.get(COOKIE)
    if token:
        with request.app.state.sessions.begin() as session:
            sign_out(session, token)
    response = RedirectResponse(SIGN_IN, status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


async def guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Dashboard pages need a live session; everything else passes."""
    path = request.url.path
    if not path.startswith(HOME) or path.startswith(OPEN_PATHS):
        return await call_next(request)
    state = request.app.state
    user = live_user(state.sessions, request.cookies, state.clock)
    if user is None:
        target = path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"{SIGN_IN}?next={quote(target, safe='')}", status_code=303)
    return await call_next(request)
