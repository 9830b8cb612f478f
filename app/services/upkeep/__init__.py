"""Keeping the stores whole: the province reference table, database backup and restore."""
