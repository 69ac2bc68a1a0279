"""Statistics and alerting: SPC, inequality statistics and alert delivery (later issues)."""
