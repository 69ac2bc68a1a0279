"""The Overview's sparkline: inline SVG whose last point carries its MDC colour, shape and words,
and whose lines break where a month is hidden or the mean is rebased."""

from __future__ import annotations

import re
from typing import Any

from dashboard.charts.sparkline import sparkline_svg


def month(period: str, rate: float | None, centre: float, group: int = 0, **more: Any) -> dict:
    return {"period": period, "rate": rate, "centre": centre, "rebase_group": group, **more}


def test_the_last_point_has_its_variation_colour_shape_and_words() -> None:
    months = [month(f"2025-{m:02d}", 30.0 + m, 33.0) for m in range(1, 7)]
    months[-1]["point_type"] = "special_cause_concern"
    svg = sparkline_svg(months, "OASI")
    words = "OASI: the last 6 months; latest 2025-06, 36.0: Special cause: concern"
    assert f'aria-label="{words}"' in svg
    (marker,) = re.findall(r"<polygon [^>]+>", svg)
    assert 'fill="#e46c0a"' in marker  # MDC concern orange, as a diamond (a polygon, not a dot)
    assert marker.count(",") == 4  # four corners


def test_a_hidden_month_breaks_the_rate_line_and_a_rebase_breaks_the_mean() -> None:
    months = [
        month("2025-01", 10.0, 11.0),
        month("2025-02", 12.0, 11.0),
        month("2025-03", None, 11.0),  # suppressed: no rate shown
        month("2025-04", 11.0, 20.0, group=1),
        month("2025-05", 21.0, 20.0, group=1),
    ]
    svg = sparkline_svg(months, "Preterm birth")
    rate_lines = re.findall(r'<polyline points="([^"]+)" fill="none" stroke="#768692"', svg)
    mean_lines = re.findall(r'<polyline points="([^"]+)" fill="none" stroke="#4c6272"', svg)
    assert [len(p.split()) for p in rate_lines] == [2, 2]
    assert [len(p.split()) for p in mean_lines] == [3, 2]


def test_the_highest_value_is_drawn_at_the_top_and_the_lowest_at_the_bottom() -> None:
    svg = sparkline_svg([month("2025-01", 5.0, 7.5), month("2025-02", 10.0, 7.5)], "Stillbirth")
    (rates,) = re.findall(r'points="([^"]+)" fill="none" stroke="#768692"', svg)
    (first_y, second_y) = (float(p.split(",")[1]) for p in rates.split())
    # 60 px high with 6 px of padding; SVG's y grows downwards.
    assert (first_y, second_y) == (54.0, 6.0)


def test_no_month_with_a_rate_says_so_in_words() -> None:
    assert "no months shown yet" in sparkline_svg([month("2025-01", None, 3.0)], "HIE")
    assert "no months shown yet" in sparkline_svg([], "HIE")
