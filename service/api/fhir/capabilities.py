"""`/fhir/metadata`: the CapabilityStatement, generated from what is really implemented — the
stored types and their interactions, the declared search parameters, the operations whose
routes are mounted — so it cannot advertise what does not work. Open without a token, as
clients read it before they authenticate (FHIR R4 §3.1.0.14)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from service.api.fhir.context import fhir_base, json_format
from service.api.fhir.measures import COMPUTED_TYPES
from service.api.fhir.resource_types import STORED_TYPES, WRITABLE_TYPES, served_definitions
from service.api.fhir.responses import fhir_json
from service.search.definitions import parameters_for, search_parameters

router = APIRouter(prefix="/fhir", tags=["fhir"])
READ_INTERACTIONS = ("read", "vread", "history-instance", "history-type", "search-type")
WRITE_INTERACTIONS = ("create", "update", "delete")
SOFTWARE_VERSION = "0.1.0"


@router.get("/metadata", dependencies=[Depends(json_format)])
def metadata(request: Request) -> Response:
    statement = _cached_statement(fhir_base(request), request.app.state)
    return fhir_json(statement)


def _cached_statement(base: str, state: Any) -> dict[str, Any]:
    """Built once per base URL: what is implemented does not change while the process runs."""
    cache: dict[str, dict[str, Any]] = state.__dict__.setdefault("capability_statements", {})
    if base not in cache:
        cache[base] = capability_statement(base, state.fhir_operations)
    return cache[base]


def capability_statement(base: str, operations: dict[str, list[str]]) -> dict[str, Any]:
    """`operations` names each operation (`validate`, `export`) and the levels it runs at:
    `system`, or a resource type (type and instance level)."""
    resources = [_resource(t, operations) for t in STORED_TYPES]
    resources += [
        {"type": t, "interaction": [{"code": "read"}]}
        for t in sorted({t for t, _ in served_definitions()})
    ]
    resources += [
        {
            "type": t,
            "profile": f"http://hl7.org/fhir/StructureDefinition/{t}",
            "interaction": [{"code": "read"}, {"code": "search-type"}],
            "searchParam": [{"name": name, "type": kind} for name, kind in parameters.items()],
            **(
                {"operation": [{"name": "evaluate-measure", "definition": EVALUATE_MEASURE}]}
                if t == "Measure"
                else {}
            ),
        }
        for t, parameters in COMPUTED_TYPES.items()
    ]
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": "2026-11-22",
        "publisher": "perinatal-equity",
        "kind": "instance",
        "software": {"name": "perinatal-equity", "version": SOFTWARE_VERSION},
        "implementation": {"description": "Perinatal equity FHIR API", "url": base},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "rest": [
            {
                "mode": "server",
                "security": {
                    "service": [
                        {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                                    "code": "SMART-on-FHIR",
                                }
                            ]
                        }
                    ],
                    "description": "Bearer tokens with SMART system scopes "
                    "(system/*.read, system/Patient.write, …).",
                },
                "resource": resources,
                "interaction": [{"code": "transaction"}, {"code": "batch"}],
                "operation": [
                    {"name": name, "definition": OPERATION_DEFINITIONS[name]}
                    for name, levels in sorted(operations.items())
                    if "system" in levels
                ],
            }
        ],
    }


# The CQIMs only (README, "National measures"): the catalogue's indicators are precomputed.
EVALUATE_MEASURE = "http://hl7.org/fhir/OperationDefinition/Measure-evaluate-measure"
OPERATION_DEFINITIONS = {
    "validate": "http://hl7.org/fhir/OperationDefinition/Resource-validate",
    "export": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export",
}


def _resource(resource_type: str, operations: dict[str, list[str]]) -> dict[str, Any]:
    writable = resource_type in WRITABLE_TYPES
    codes = READ_INTERACTIONS + (WRITE_INTERACTIONS if writable else ())
    declared = parameters_for(resource_type)
    references = [p for p in declared.values() if p.type == "reference"]
    reverse = [
        f"{source}:{p.name}"
        for source, parameters in sorted(search_parameters().items())
        for p in parameters.values()
        if p.type == "reference" and (not p.targets or resource_type in p.targets)
    ]
    resource: dict[str, Any] = {
        "type": resource_type,
        "profile": f"http://hl7.org/fhir/StructureDefinition/{resource_type}",
        "interaction": [{"code": code} for code in codes],
        "versioning": "versioned-update",
        "readHistory": True,
        "updateCreate": writable,
        "conditionalCreate": writable,
        "conditionalUpdate": writable,
        "conditionalDelete": "not-supported",
        "searchInclude": [f"{resource_type}:{p.name}" for p in references],
        "searchRevInclude": reverse,
        "searchParam": [
            {"name": p.name, "type": p.type, "documentation": p.description or p.name}
            for p in declared.values()
        ],
    }
    typed = [name for name, levels in sorted(operations.items()) if resource_type in levels]
    if typed:
        resource["operation"] = [
            {"name": name, "definition": OPERATION_DEFINITIONS[name]} for name in typed
        ]
    return resource
