"""The README's pictures of the first night's alerts: the funnel, the digest email and the Teams
card, as the product makes them from the demo's indicator results.

    .venv/bin/python docs/alert_images.py [--demo-database var/perinatal.db]

Run `make demo` first. The demo's indicator results are copied into a scratch database and
the night's alert job is run on them with an email and a Teams receiver (nothing is sent): the
funnel is the job's own count, the email is the queued MIME message (its inline charts put
back in place of their `cid:` links) and the card is the queued Adaptive Card, laid out the
way Teams lays out its text blocks and buttons (Teams' own renderer is not on this machine;
the words, order and buttons are the card's). Chromium takes the pictures.
"""

from __future__ import annotations

import argparse
import base64
import email
import html
import sys
import tempfile
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
IMAGES = ROOT / "docs" / "images"
STAGE_WORDS = {
    "raised": "raised by the rules",
    "after_multiplicity": "after the false discovery rate",
    "after_folding": "after hierarchy and inhibition",
    "after_effect_and_persistence": "after effect size and persistence",
    "notified": "notified",
}


def main() -> None:
    from bench.alerting import NOW, scratch_database
    from service.config import Settings
    from service.scheduling import tasks
    from service.storage.engine import make_engine, make_session_factory
    from service.storage.models import OutboxNotification

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--demo-database", type=Path, default=Path("var/perinatal.db"))
    args = parser.parse_args()
    if not args.demo_database.exists():
        raise SystemExit(f"no demo database at {args.demo_database}: run `make demo` first")
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        url = scratch_database(Path(folder) / "night.db", args.demo_database)
        settings = Settings(
            database_url=url,
            data_dir=Path(folder),
            smtp_host="127.0.0.1",
            alert_email_from="alerts@example.nhs.uk",
            alert_email_to="maternity-safety@example.nhs.uk",
            teams_webhook_url="https://example.invalid/workflows/maternity",
            public_base_url="https://perinatal.example.nhs.uk",
        )
        engine = make_engine(url)
        sessions = make_session_factory(engine)
        night = tasks.evaluate(settings, sessions, lambda: NOW)
        with sessions() as session:
            queued = {n.channel: n.payload for n in session.query(OutboxNotification)}
        engine.dispose()
    funnel_png(night.funnel, IMAGES / "alert-funnel.png")
    message = email.message_from_string(queued["email"], policy=default_policy)
    assert isinstance(message, EmailMessage)
    teams = orjson.loads(queued["teams"])["attachments"][0]["content"]
    with Screenshots() as shoot:
        shoot(email_html(message), IMAGES / "digest-email.png", width=820)
        shoot(card_html(teams), IMAGES / "teams-card.png", width=560)
    print(f"funnel {night.funnel}; pictures in {IMAGES.relative_to(ROOT)}")


def funnel_png(funnel: dict[str, int], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    stages = [s for s in STAGE_WORDS if s in funnel]
    counts = [funnel[s] for s in stages]
    figure, axes = plt.subplots(figsize=(8, 3.2), dpi=120)
    bars = axes.barh(range(len(stages)), counts, color="#005eb8")
    axes.set_yticks(range(len(stages)), [STAGE_WORDS[s] for s in stages])
    axes.invert_yaxis()
    for bar, count in zip(bars, counts, strict=True):
        axes.text(bar.get_width() + max(counts) * 0.01, bar.get_y() + bar.get_height() / 2,
                  f"{count:,}", va="center", fontsize=10)  # fmt: skip
    axes.set_xlim(0, max(counts) * 1.12)
    axes.set_xlabel("alerts on the demo's first night")
    axes.spines[["top", "right"]].set_visible(False)
    axes.set_title("From signals raised to alerts a clinician is told of", loc="left")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def email_html(message: EmailMessage) -> str:
    body = message.get_body(("html",))
    assert body is not None
    page = str(body.get_content())
    for part in message.walk():
        if part.get_content_type() == "image/png":
            cid = str(part["Content-ID"]).strip("<>")
            data = base64.b64encode(part.get_content()).decode()
            page = page.replace(f"cid:{cid}", f"data:image/png;base64,{data}")
    envelope = "".join(
        f"<div><b>{name}:</b> {html.escape(str(message[name]))}</div>"
        for name in ("From", "To", "Subject")
    )
    return (
        '<div style="font:14px Arial;padding:12px;border-bottom:1px solid #ccc;'
        f'background:#f0f4f5">{envelope}</div><div style="padding:12px">{page}</div>'
    )


COLOURS = {"Attention": "#d5281b", "Warning": "#8a5300", "Default": "#212b32"}


def card_html(card: dict[str, Any]) -> str:
    """The card's text blocks, containers and buttons, in the order and words the card has."""

    def element(item: dict[str, Any]) -> str:
        kind = item.get("type")
        if kind == "TextBlock":
            style = [f"color:{COLOURS.get(item.get('color', 'Default'), '#212b32')}"]
            if item.get("weight") == "Bolder":
                style.append("font-weight:bold")
            if item.get("size") == "Medium":
                style.append("font-size:17px")
            if item.get("isSubtle"):
                style.append("color:#4c6272")
            if item.get("separator"):
                style.append("border-top:1px solid #d8dde0;padding-top:8px;margin-top:10px")
            return f'<p style="margin:4px 0;{";".join(style)}">{html.escape(item["text"])}</p>'
        if kind == "Container":
            return f'<div style="margin:6px 0">{"".join(element(i) for i in item["items"])}</div>'
        if kind == "ActionSet":
            return buttons(item["actions"])
        return ""

    def buttons(actions: list[dict[str, Any]]) -> str:
        return "".join(
            '<span style="display:inline-block;border:1px solid #8a9ba8;border-radius:4px;'
            'padding:3px 10px;margin:2px 6px 2px 0;font-size:13px;color:#5b5fc7">'
            f"{html.escape(a['title'])}</span>"
            for a in actions
        )

    content = "".join(element(i) for i in card["body"]) + buttons(card.get("actions", []))
    return (
        "<div style=\"font:14px 'Segoe UI',Arial;background:#f5f5f5;padding:16px\">"
        '<div style="background:white;border-radius:6px;padding:14px 16px;'
        f'box-shadow:0 1px 3px rgba(0,0,0,.2)">{content}</div></div>'
    )


class Screenshots:
    """Chromium, taking full-page pictures of HTML."""

    def __enter__(self) -> Any:
        from tests.dashboard.browser import chromium

        self._browser = chromium()
        browser = self._browser.__enter__()

        def shoot(page_html: str, path: Path, width: int) -> None:
            page = browser.new_page(viewport={"width": width, "height": 400})
            page.set_content(f"<html><body style='margin:0'>{page_html}</body></html>")
            page.screenshot(path=str(path), full_page=True)
            page.close()

        return shoot

    def __exit__(self, *exc: object) -> None:
        self._browser.__exit__(*exc)


if __name__ == "__main__":
    main()
