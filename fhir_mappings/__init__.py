"""Source extracts and their mapping to FHIR R4, with the synthetic extract generator."""
