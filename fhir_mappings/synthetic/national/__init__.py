"""The synthetic region written in the national formats (MSDS v2 tables, …)."""
