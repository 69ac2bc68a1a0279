"""The analytic projection: FHIR resources → linked, reconciled, flat rows the indicators count."""
