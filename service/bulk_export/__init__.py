"""FHIR Bulk Data `$export`: stored resources written out as NDJSON files, one per type, by a
background job the API starts and clients poll."""
