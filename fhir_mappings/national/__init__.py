"""National datasets (MSDS v2, CSDS, the National Neonatal Data Set): several joined tables."""
