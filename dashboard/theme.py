"""How the dashboard signals: Making Data Count colours, and beside every colour a shape and a
word, so that colour is never the only signal. Text colours meet WCAG AA (4.5:1) on white."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Signal:
    label: str  # the words a screen reader and a colour-blind reader get
    symbol: str  # a shape for the eye
    marker: str  # the Bokeh marker of a point of this kind
    colour: str  # fill, as MDC defines it
    text_colour: str  # the same hue, dark enough for text on white


# spc.md: common cause grey #a6a6a6, improvement blue #00b0f0, concern orange #e46c0a,
# neutral purple #490092. The MDC fills are too light for text, hence the darker text shades.
VARIATION = {
    "common_cause": Signal("Common cause variation", "●", "circle", "#a6a6a6", "#505050"),
    "special_cause_improvement": Signal(
        "Special cause: improvement", "▲", "triangle", "#00b0f0", "#005a87"
    ),
    "special_cause_concern": Signal("Special cause: concern", "◆", "diamond", "#e46c0a", "#9c4200"),
    "special_cause_neutral_high": Signal(
        "Special cause: higher (neutral)", "▲", "triangle", "#490092", "#490092"
    ),
    "special_cause_neutral_low": Signal(
        "Special cause: lower (neutral)", "▼", "inverted_triangle", "#490092", "#490092"
    ),
}
NO_VARIATION = Signal("No chart yet", "–", "circle", "#d0d0d0", "#505050")

# MDC assurance icons: P (will consistently pass), F (will consistently fail), ? (hit and miss).
ASSURANCE = {
    "consistent_pass": Signal(
        "Assurance: consistently meets the target", "P", "circle", "#00b0f0", "#005a87"
    ),
    "consistent_fail": Signal(
        "Assurance: consistently misses the target", "F", "circle", "#e46c0a", "#9c4200"
    ),
    "inconsistent": Signal("Assurance: hit and miss", "?", "circle", "#a6a6a6", "#505050"),
}
NO_TARGET = Signal("Assurance: no target set", "–", "circle", "#d0d0d0", "#505050")

TRAFFIC_LIGHTS = {
    "red": Signal(
        "Red: significantly worse than the reference group", "■", "square", "#d5281b", "#b0190e"
    ),
    "amber": Signal("Amber: worse, not significantly", "▲", "triangle", "#ffb81c", "#7a5300"),
    "green": Signal("Green: not worse", "●", "circle", "#007f3b", "#006130"),
}
NO_LIGHT = Signal(
    "No traffic light (neutral indicator or not shown)", "○", "circle", "#d0d0d0", "#505050"
)
REFERENCE = Signal("Reference group", "◇", "diamond", "#212b32", "#212b32")

RULE_WORDS = {
    "outside_limits": "a point beyond a process limit",
    "trend": "a run of 7 months rising or falling",
    "two_in_three": "two of three months near a limit",
    "shift": "a run of 7 months on one side of the mean",
}


def variation(point_type: str | None) -> Signal:
    return VARIATION.get(point_type or "", NO_VARIATION)


def assurance(kind: str | None) -> Signal:
    return ASSURANCE.get(kind or "", NO_TARGET)


def traffic_light(light: str | None) -> Signal:
    return TRAFFIC_LIGHTS.get(light or "", NO_LIGHT)


def badge(signal: Signal, text: str | None = None) -> str:
    """An inline HTML badge: shape and words in the signal's text colour."""
    return (
        f'<span class="badge" style="color:{signal.text_colour};border-color:{signal.colour}">'
        f'<span aria-hidden="true">{signal.symbol}</span> {text or signal.label}</span>'
    )


# The NHS focus style, as a double ring that shows on white and on the blue bar alike (WCAG
# 2.4.7, 2.4.11): ink inside, yellow outside. Given to every component, Panel's own widgets
# included (dashboard.shell.DashboardDesign), since each draws in its own shadow root.
FOCUS_CSS = """
:focus-visible, .bk-input:focus-visible, .bk-btn:focus-visible {
  outline: 3px solid #212b32 !important; outline-offset: 1px;
  box-shadow: 0 0 0 6px #ffeb3b !important; }
"""

CSS = """
:host, :root { --nhs-blue: #005eb8; --ink: #212b32; }
body { font-family: Arial, Helvetica, sans-serif; color: var(--ink); }
.badge { display:inline-block; border:2px solid; border-radius:4px; padding:1px 6px;
         font-weight:bold; background:#fff; max-width:100%; box-sizing:border-box; }
.site-nav { display:flex; flex-wrap:wrap; gap:4px 12px; align-items:center; padding:8px 12px;
            background: var(--nhs-blue); }
.site-nav a { color:#fff; font-weight:bold; text-decoration:none; padding:4px 6px; }
.site-nav a[aria-current="page"] { text-decoration:underline; text-underline-offset:4px; }
.skip-link { position:absolute; width:1px; height:1px; overflow:hidden; clip:rect(0 0 0 0);
              white-space:nowrap; }
.skip-link:focus { position:static; width:auto; height:auto; clip:auto; display:inline-block;
                   margin:4px; padding:8px 12px; background:#ffeb3b; color:#212b32;
                   font-weight:bold; }
.site-nav .who { margin-left:auto; color:#fff; }
.site-nav button { font:inherit; color:var(--nhs-blue); background:#fff; border:0;
                   border-radius:4px; padding:3px 8px; cursor:pointer; }
table.results { border-collapse:collapse; font-size:14px; }
table.results th, table.results td { border-bottom:1px solid #d8dde0; padding:4px 8px;
                                     text-align:left; }
table.results td.n { text-align:right; font-variant-numeric: tabular-nums; }
.plain-language { font-size:16px; background:#f0f4f5; border-left:6px solid var(--nhs-blue);
                  padding:8px 12px; margin:0; }
.notice { background:#fff9c4; border-left:6px solid #7a5300; padding:6px 10px; }
.measure-card { border:1px solid #aeb7bd; border-radius:6px; padding:8px; }
.measure-card a { color: var(--nhs-blue); }
a { color: var(--nhs-blue); }
.scroll-region { max-height:420px; overflow:auto; }
"""
