"""Jury scoring: the office appoints jurors to a round, jurors score its accepted applications, the office
sees the ranking and records the council's decision."""
