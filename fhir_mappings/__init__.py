"""Source extracts and their mapping to FHIR R4: the reference formats and the synthetic generator."""
