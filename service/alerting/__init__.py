"""Alerting, the shell around the pure pipeline in `alerts/`: read the latest indicator
results, run an evaluation cycle, store the alert changes and queue their notifications in one
transaction (`evaluation`), and deliver the queue with retries and a delivery log (`outbox`)."""
