"""Pure domain rules (no I/O beyond the packaged reference data): levels, groups, validity, provinces, text."""
