"""Canonical records → FHIR R4 resources (as JSON-ready dicts in the R4B model's shape).

`codes.py` holds every code the product uses; `naming.py` the URIs and deterministic ids; one
builder module per source system. Builders are pure: a record in, resources out.
"""

from collections.abc import Callable
from typing import Any

from fhir_mappings.fhir import booking, health_visiting, maternity, neonatal
from fhir_mappings.fhir.shapes import Resource, RowContext

Builder = Callable[[dict[str, Any], RowContext], list[Resource]]

BUILDERS: dict[str, Builder] = {
    "maternity": maternity.build,
    "neonatal": neonatal.build,
    "health_visiting": health_visiting.build,
    # Records of a second kind, named by a national mapping's `builder`.
    "booking": booking.build,
}
