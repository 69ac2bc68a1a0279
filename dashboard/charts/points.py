"""Points drawn by their signal: each row of the source carries its marker shape and fill colour
(MDC variation or traffic light), and hovering a point tells its figures in words."""

from __future__ import annotations

from typing import Any

from bokeh.models import ColumnDataSource, GlyphRenderer, HoverTool


def signal_points(
    chart: Any,
    x: str,
    y: str,
    source: ColumnDataSource,
    *,
    size: int,
    tooltips: list[tuple[str, str]],
    line_color: str = "#212b32",
) -> GlyphRenderer:
    dots = chart.scatter(
        x, y, source=source, marker="marker", size=size, fill_color="colour", line_color=line_color
    )
    chart.add_tools(HoverTool(renderers=[dots], tooltips=tooltips))
    return dots
