"""Loading source extracts: the pipeline's storage side (resources, quarantine, the ingest log)."""
