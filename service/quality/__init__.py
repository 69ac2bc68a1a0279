"""Data-quality views for the dashboard: what ingest refused, where the systems disagree, how
complete the key fields are, and which postcodes the reference tables cannot place."""
