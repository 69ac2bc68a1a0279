"""NHS England's national maternity measures (the CQIMs), computed over the analytic projection."""
