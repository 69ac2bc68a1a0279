"""The dashboard's plain HTML pages (signing in, the accessibility statement): server-rendered,
usable before any script loads, in the NHS colours and focus style the Panel pages use."""

from __future__ import annotations

import html

from fastapi.responses import HTMLResponse

STYLE = """
body { font-family: Arial, Helvetica, sans-serif; color:#212b32; margin:0; line-height:1.5; }
header { background:#005eb8; color:#fff; padding:12px 16px; font-weight:bold; }
main { max-width:42em; margin:32px auto; padding:0 16px; }
main.narrow { max-width:420px; }
a { color:#005eb8; }
label { display:block; font-weight:bold; margin-top:16px; }
input { font-size:18px; width:100%; padding:6px; border:2px solid #4c6272; box-sizing:border-box; }
:focus-visible { outline:3px solid #212b32; outline-offset:1px; box-shadow:0 0 0 6px #ffeb3b; }
button { margin-top:20px; font-size:18px; background:#007f3b; color:#fff; border:0;
         padding:8px 16px; border-radius:4px; cursor:pointer; }
.error { border-left:6px solid #d5281b; padding:6px 10px; color:#b0190e; font-weight:bold; }
"""


def plain_page(title: str, body: str, *, status: int = 200, narrow: bool = False) -> HTMLResponse:
    """A whole page: `body` is trusted HTML that goes inside `<main>`."""
    return HTMLResponse(
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{html.escape(title)}: Perinatal equity</title><link rel="icon" href="data:,">'
        f"<style>{STYLE}</style></head><body><header>Perinatal equity dashboard</header>"
        f"<main{' class=narrow' if narrow else ''}>{body}</main></body></html>",
        status_code=status,
    )
