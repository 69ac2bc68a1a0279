"""The source systems, by the names users type (CLI) and send (HTTP)."""

from __future__ import annotations

SOURCES = {"maternity": "maternity", "neonatal": "neonatal", "health-visiting": "health_visiting"}
# National datasets, by the names users type: each read through its mapping in
# fhir_mappings/mapping/defaults (NATIONAL_MAPPINGS).
NATIONAL_SOURCES = ("msds", "csds", "nnds")
