"""The programme in figures: counts of the register, their tables, charts and downloads."""
