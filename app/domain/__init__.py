"""Pure domain rules: levels, groups, validity, provinces, codes, text (no I/O but packaged data)."""
