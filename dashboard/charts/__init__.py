"""Bokeh charts built once per page and updated by replacing their data sources, so a filter
change redraws without rebuilding the layout (no flicker)."""
