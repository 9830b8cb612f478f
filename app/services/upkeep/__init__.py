"""Keeping the stores whole: the province table, backup and restore, readiness for operators."""
