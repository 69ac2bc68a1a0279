"""The source systems, by the names users type (CLI) and send (HTTP)."""

from __future__ import annotations

SOURCES = {"maternity": "maternity", "neonatal": "neonatal", "health-visiting": "health_visiting"}
