"""Whether this process can serve: the database answers, the search engine answers, indexing keeps up.

Read by /readyz (app/routes/ops.py) for load balancers and compose's healthcheck; /metrics reports
the outbox backlog too, counted when Prometheus scrapes. A search
engine that is down does not stop the site (the catalog lists from the database), so the
answer says which state it is in rather than only "no".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from app.models import OutboxEvent
from search.engine import SearchEngine, SearchQuery, SearchUnavailable

# More rows than one apply batch (search/indexer.py OUTBOX_BATCH) waiting means indexing is behind.
OUTBOX_BACKLOG_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class Readiness:
    """What /readyz reports: each store's state and the outbox backlog."""

    database: bool
    search: bool
    search_problem: str
    outbox_backlog: int | None

    @property
    def ready(self) -> bool:
        """True when the database and the engine answer and the backlog is under the limit."""
        backlog_ok = self.outbox_backlog is not None and self.outbox_backlog <= OUTBOX_BACKLOG_LIMIT
        return self.database and self.search and backlog_ok


def outbox_backlog(*, session: Session) -> int | None:
    """Outbox rows waiting to be indexed; None when the database does not answer."""
    try:
        return int(session.exec(select(sa.func.count()).select_from(OutboxEvent)).one())
    except SQLAlchemyError:
        session.rollback()
        return None


def check_readiness(*, session: Session, search: SearchEngine, today: date) -> Readiness:
    """Ask the database (one count) and the search engine (an empty page) whether they answer."""
    backlog = outbox_backlog(session=session)
    try:
        search.search(SearchQuery(today=today, per_page=0))
        problem = ""
    except SearchUnavailable as error:
        problem = str(error) or "search engine unavailable"
    return Readiness(database=backlog is not None, search=not problem, search_problem=problem,
                     outbox_backlog=backlog)
