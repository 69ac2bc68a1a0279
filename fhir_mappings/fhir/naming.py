"""URIs and ids: identifier systems, the product's local code system, deterministic resource ids.

Local identifier systems belong to the deployment (the LMNS); these defaults are the product's
own and can be overridden by passing another base to the builders.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
ODS_ORGANISATION_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"
ODS_SITE_SYSTEM = "https://fhir.nhs.uk/Id/ods-site-code"
PRODUCT_BASE = "https://fhir.perinatal-equity.example"
LOCAL_CODE_SYSTEM = f"{PRODUCT_BASE}/CodeSystem/perinatal-local"
# The clinical resource types the builders make (each row also makes a Provenance).
CLINICAL_RESOURCE_TYPES: tuple[str, ...] = (
    "Patient",
    "RelatedPerson",
    "Encounter",
    "Observation",
    "Condition",
    "Procedure",
    "ServiceRequest",
)
# A fixed namespace: the same source system and local key give the same id on every machine.
ID_NAMESPACE = uuid.UUID("6f1c3f0e-2b7e-5d8a-9c4e-5b1d2a7f9e31")


@dataclass(frozen=True)
class Naming:
    identifier_base: str = f"{PRODUCT_BASE}/Id"

    def local_system(self, source_system: str, kind: str) -> str:
        """e.g. https://…/Id/maternity-baby for the maternity system's baby numbers."""
        return f"{self.identifier_base}/{source_system.replace('_', '-')}-{kind}"

    def meta_source(self, source_system: str, file_name: str) -> str:
        return f"{PRODUCT_BASE}/source/{source_system.replace('_', '-')}#{file_name}"


def resource_id(source_system: str, kind: str, local_key: str) -> str:
    """Deterministic: loading the same record again addresses the same resource.

    The UUID version 5 of the name in `ID_NAMESPACE`, computed directly: `uuid.uuid5` builds
    objects this hot path (about twenty ids a row) does not need."""
    digest = bytearray(
        hashlib.sha1(_NAMESPACE_BYTES + f"{source_system}|{kind}|{local_key}".encode()).digest()[
            :16
        ]
    )
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    text = digest.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


_NAMESPACE_BYTES = ID_NAMESPACE.bytes
