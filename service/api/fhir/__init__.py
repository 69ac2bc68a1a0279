"""The FHIR R4 REST interface at `/fhir`."""
