"""A product's standing at each level on a day: the one meaning of "valid at level L".

A certificate is valid on day D when it was issued on or before D, D is no later than its
valid_until and it was not revoked on or before D. A product is valid at level L on D when
one of its certificates at L is; otherwise its status at L is that of the certificate at L
that ends last (revoked if that one was revoked by D, else expired: ended, or not yet in
force). The level a product is shown with is the highest level at which it is valid on D,
or, when it is valid at none, the highest level it was ever certified at, shown with that
level's status. Its status without a level is the status at that shown level.

Search engines cannot ask the database on every query, so the rule runs on a summary each
search document carries (`summarise`): per level, the runs of days with a valid certificate
at that level and the revocation day of the certificate that ends last, plus the same for
the product as a whole under ANY. Pages, both engines and the database fallback all decide
from this rule; tests/domain/test_standing.py holds its table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Protocol, TypedDict

from app.domain.levels import Level
from app.domain.validity import CertificateStatus, effective_end

ANY = "all"  # summary key of the product as a whole (every level)
# Runs kept per level: the newest ones. Certificates last four years and rounds began in 2012,
# so a product has at most four separate runs at one level in real data; a fifth, older one
# would only matter for questions about days before the fourth.
MAX_RUNS = 4


class CertificateDates(Protocol):
    """What the rule reads of a certificate (a Certificate row fits)."""

    @property
    def level(self) -> str: ...
    @property
    def issued_on(self) -> date: ...
    @property
    def valid_until(self) -> date: ...
    @property
    def revoked_on(self) -> date | None: ...


class LevelRecord(TypedDict):
    """One level of a summary, in yyyymmdd day keys (JSON-ready for search documents).

    `runs`: [first, last] days on which some certificate at the level is valid, merged,
    oldest first. `ends`: the last day of the certificate that ends last (0 if none ever was
    in force). `revoked_on`: that certificate's revocation day, 0 if none.
    """

    runs: list[list[int]]
    ends: int
    revoked_on: int


Summary = dict[str, LevelRecord]


def day_key(day: date) -> int:
    """A date as a yyyymmdd integer: sortable and filterable in every engine."""
    return day.year * 10000 + day.month * 100 + day.day


def from_key(key: int) -> date:
    """The date of a yyyymmdd key."""
    return date(key // 10000, key // 100 % 100, key % 100)


def _merged(spans: Iterable[tuple[date, date]]) -> list[list[int]]:
    """Non-empty spans merged where they overlap or touch, newest MAX_RUNS kept, as day keys."""
    merged: list[list[date]] = []
    for first, last in sorted(spans):
        if first > last:
            continue
        if merged and first.toordinal() <= merged[-1][1].toordinal() + 1:
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    return [[day_key(first), day_key(last)] for first, last in merged[-MAX_RUNS:]]


def _record(certs: list[CertificateDates]) -> LevelRecord:
    """The record of certificates of one level (or of all of them)."""
    # Ends last: latest end, then latest issue, then a revoked one (any order of `certs` agrees).
    defining = max(certs, key=lambda c: (effective_end(c.valid_until, c.revoked_on), c.issued_on,
                                         c.revoked_on or date.min))
    return {
        "runs": _merged((c.issued_on, effective_end(c.valid_until, c.revoked_on)) for c in certs),
        "ends": day_key(effective_end(defining.valid_until, defining.revoked_on)),
        "revoked_on": day_key(defining.revoked_on) if defining.revoked_on else 0,
    }


def summarise(certificates: Iterable[CertificateDates]) -> Summary:
    """Per level (and ANY), what the rule needs to answer for any day; {} for no certificate.

    ANY's runs are every run; its revocation day is that of the level shown when none is valid
    (the top level), so `status_at(summary[ANY], d)` equals `standing(summary, d).status`.
    """
    by_level: dict[str, list[CertificateDates]] = {}
    for cert in certificates:
        by_level.setdefault(cert.level, []).append(cert)
    summary: Summary = {level: _record(certs) for level, certs in sorted(by_level.items())}
    if summary:
        everything = [c for certs in by_level.values() for c in certs]
        top = summary[_top_level(summary)]
        summary[ANY] = {"runs": _merged((c.issued_on, effective_end(c.valid_until, c.revoked_on))
                                        for c in everything),
                        "ends": top["ends"], "revoked_on": top["revoked_on"]}
    return summary


def is_valid_on(record: LevelRecord, day: int) -> bool:
    """Some run holds `day` (a yyyymmdd key)."""
    return any(first <= day <= last for first, last in record["runs"])


def status_at(record: LevelRecord, day: int) -> CertificateStatus:
    """Valid if a run holds `day`; else revoked if the last-ending certificate was revoked by then."""
    if is_valid_on(record, day):
        return CertificateStatus.valid
    if record["revoked_on"] and record["revoked_on"] <= day:
        return CertificateStatus.revoked
    return CertificateStatus.expired


def _rank(level: str) -> int:
    """A level's rank (an unknown code ranks below every level)."""
    return Level(level).rank if level in Level.__members__ else 0


def _top_level(summary: Mapping[str, LevelRecord], day: int | None = None) -> str:
    """Highest level valid on `day` if any (day None: ignore validity); ties: later end, then code."""
    levels = [level for level in summary if level != ANY]
    valid = [level for level in levels if day is not None and is_valid_on(summary[level], day)]
    return max(valid or levels, key=lambda level: (_rank(level), summary[level]["ends"], level))


@dataclass(frozen=True, slots=True)
class Standing:
    """How a product is shown on a day: its level and the status there (level None: no certificate).

    `until`: for valid, the last day of the unbroken run of validity at that level; for
    expired, the day it ended (or its valid_until if it never began); None when revoked.
    """

    level: Level | None
    status: CertificateStatus
    until: date | None = None

    @property
    def valid(self) -> bool:
        """True if the product holds a valid certificate on the day."""
        return self.status == CertificateStatus.valid


def standing(summary: Mapping[str, LevelRecord], *, on: date) -> Standing:
    """The highest level valid on `on`, or the highest ever with its status; expired for none."""
    if not summary:
        return Standing(None, CertificateStatus.expired)
    day = day_key(on)
    level = _top_level(summary, day)
    record = summary[level]
    known = Level(level) if level in Level.__members__ else None
    status = status_at(record, day)
    until: date | None
    if status == CertificateStatus.valid:
        until = next(from_key(last) for first, last in record["runs"] if first <= day <= last)
    else:
        until = from_key(record["ends"]) if status == CertificateStatus.expired and record["ends"] else None
    return Standing(known, status, until)


def level_status(summary: Mapping[str, LevelRecord], level: str, *, on: date) -> CertificateStatus | None:
    """The product's status at `level` (ANY: as a whole) on `on`; None if never certified there."""
    record = summary.get(level)
    return status_at(record, day_key(on)) if record is not None else None


def matches(summary: Mapping[str, LevelRecord], levels: Iterable[str], status: str, *, on: date) -> bool:
    """The catalog filter: at one of `levels` the status on `on` is `status` ("all": certified there).

    Without levels it is the product's own status (a product without certificates counts as
    expired, as its card says).
    """
    chosen = list(levels)
    if not chosen:
        return status in ("all", "") or standing(summary, on=on).status == status
    found = [level_status(summary, level, on=on) for level in chosen]
    return any(s is not None and status in ("all", "", s) for s in found)
