"""The clinicians' Panel dashboard (a later issue)."""
