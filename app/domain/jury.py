"""Jury scoring rules: which criteria a juror scores, a review's total, the averages and the ranking.

Pure: the services hand in the reviews as plain values. A juror scores the criteria that have no
sub-criteria (a main criterion with sub-criteria is their sum), so a complete review's total is out of
the call's 100 points. A review counts toward the averages only when it is complete and the juror did
not declare a conflict; a conflicted juror's column says so in words instead of a number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from app.domain.calls import Criterion
from app.domain.messages import N_
from app.domain.text import vietnamese_sort_key


class Decision(StrEnum):
    """The selection council's decision on an accepted application."""

    selected = "selected"
    not_selected = "not_selected"

    @property
    def label(self) -> str:
        """Vietnamese label (a msgid)."""
        return DECISION_LABELS[self]


DECISION_LABELS = {Decision.selected: N_("Được công nhận"), Decision.not_selected: N_("Không được chọn")}


def scored_criteria(criteria: Sequence[Criterion]) -> list[Criterion]:
    """The criteria a juror gives points to: every one without sub-criteria, in the call's order."""
    parents = {c.parent for c in criteria if c.parent}
    return [c for c in criteria if c.key not in parents]


def review_total(scores: Mapping[str, float], criteria: Sequence[Criterion]) -> float | None:
    """The review's total over the scored criteria; None while one of them has no points."""
    scored = scored_criteria(criteria)
    if not scored or any(c.key not in scores for c in scored):
        return None
    return round(sum(scores[c.key] for c in scored), 2)


@dataclass(frozen=True, slots=True)
class Marks:
    """One juror's review of one application, as the ranking needs it."""

    juror_id: int
    conflict: bool
    scores: Mapping[str, float]


@dataclass(frozen=True, slots=True)
class Standing:
    """An application's place: each juror's total (None: not scored, "conflict"), the averages."""

    application_id: int
    name: str
    totals: dict[int, float | str | None] = field(default_factory=dict)
    criterion_averages: dict[str, float | None] = field(default_factory=dict)
    average: float | None = None
    counted: int = 0  # complete, unconflicted reviews behind the averages
    rank: int | None = None


CONFLICT = "conflict"


def _mean(values: Sequence[float]) -> float | None:
    """The mean to two decimals; None for no values."""
    return round(sum(values) / len(values), 2) if values else None


def standing(application_id: int, name: str, marks: Sequence[Marks], jurors: Sequence[int],
             criteria: Sequence[Criterion]) -> Standing:
    """One application's totals per juror and its averages (complete, unconflicted reviews only)."""
    by_juror = {m.juror_id: m for m in marks}
    totals: dict[int, float | str | None] = {}
    counted: list[Marks] = []
    for juror in jurors:
        found = by_juror.get(juror)
        if found is not None and found.conflict:
            totals[juror] = CONFLICT
            continue
        total = review_total(found.scores, criteria) if found is not None else None
        totals[juror] = total
        if found is not None and total is not None:
            counted.append(found)
    averages = {c.key: _mean([m.scores[c.key] for m in counted]) for c in scored_criteria(criteria)}
    average = _mean([sum(m.scores[c.key] for c in scored_criteria(criteria)) for m in counted])
    return Standing(application_id=application_id, name=name, totals=totals, criterion_averages=averages,
                    average=average, counted=len(counted))


def ranked(standings: Sequence[Standing]) -> list[Standing]:
    """Highest average first, unscored ones last; ties by product name in Vietnamese alphabetical order, then
    by id. Equal averages share a rank (1, 2, 2, 4)."""
    ordered = sorted(standings, key=lambda s: (s.average is None, -(s.average or 0.0),
                                               vietnamese_sort_key(s.name), s.application_id))
    result: list[Standing] = []
    for position, item in enumerate(ordered, start=1):
        previous = result[-1] if result else None
        if item.average is None:
            rank = None
        elif previous is not None and previous.average == item.average:
            rank = previous.rank
        else:
            rank = position
        result.append(Standing(application_id=item.application_id, name=item.name, totals=item.totals,
                               criterion_averages=item.criterion_averages, average=item.average,
                               counted=item.counted, rank=rank))
    return result
