"""Alerting: turning the stored indicator results into alert signals (and, to come, their
lifecycle in the database, routing and delivery)."""
