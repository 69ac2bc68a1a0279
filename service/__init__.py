"""The perinatal equity service: configuration, storage, the CLI and (later) the FHIR API."""
