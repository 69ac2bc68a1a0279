"""The clinicians' dashboard: Panel pages mounted in the FastAPI app at /dashboard, reading the
stored indicator results, alerts and notes through the service layer."""
