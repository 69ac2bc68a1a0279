"""FHIR search: the parameters declared as data, the index kept on every write, and the
translation of a search request into one database query."""
