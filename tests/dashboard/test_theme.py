"""WCAG AA for the dashboard's words: every text colour against the background it is shown on
reaches 4.5:1, and no two signals look alike without their colour."""

from __future__ import annotations

import pytest

from dashboard.theme import (
    ASSURANCE,
    NO_LIGHT,
    NO_TARGET,
    NO_VARIATION,
    REFERENCE,
    TRAFFIC_LIGHTS,
    VARIATION,
)

WHITE = "#ffffff"
NHS_BLUE, INK = "#005eb8", "#212b32"


def luminance(colour: str) -> float:
    """WCAG 2 relative luminance of an sRGB colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_contrast_formula_matches_wcags_own_figures() -> None:
    assert contrast("#000000", WHITE) == pytest.approx(21.0)
    assert contrast("#767676", WHITE) == pytest.approx(4.54, abs=0.01)  # the classic AA grey


SIGNALS = {**VARIATION, **TRAFFIC_LIGHTS, **ASSURANCE, "none": NO_VARIATION,
           "no light": NO_LIGHT, "no target": NO_TARGET, "reference": REFERENCE}  # fmt: skip
TEXT_ON = [
    *((f"{name} badge", s.text_colour, WHITE) for name, s in SIGNALS.items()),
    ("navigation links", WHITE, NHS_BLUE),
    ("links and the sign-out button", NHS_BLUE, WHITE),
    ("the plain-language line", INK, "#f0f4f5"),
    ("a notice", INK, "#fff9c4"),
]


@pytest.mark.parametrize(("what", "foreground", "background"), TEXT_ON, ids=[t[0] for t in TEXT_ON])
def test_text_reaches_aa_contrast(what: str, foreground: str, background: str) -> None:
    assert contrast(foreground, background) >= 4.5, what


def test_each_signal_has_its_own_words_and_the_variations_their_own_shapes() -> None:
    labels = [s.label for s in SIGNALS.values()]
    assert len(set(labels)) == len(labels)
    kinds = {
        "common_cause": "circle",
        "special_cause_improvement": "triangle",
        "special_cause_concern": "diamond",
    }
    assert {k: VARIATION[k].marker for k in kinds} == kinds
    assert len({s.marker for s in TRAFFIC_LIGHTS.values()}) == len(TRAFFIC_LIGHTS)
