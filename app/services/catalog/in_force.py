"""The SQL form of "this certificate is in force on day D" (app/domain/standing.py's rule).

Issued on or before D, not past its valid_until, not revoked on or before D. Every query
that counts or lists valid certificates or products uses these expressions, so the database
agrees with the search documents and the pages.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import col

from app.models import Certificate


class day_before(FunctionElement[date]):  # noqa: N801 - reads as the SQL function it renders
    """`date - 1 day`, which SQLite and PostgreSQL spell differently."""

    type = sa.Date()
    inherit_cache = True


@compiles(day_before, "sqlite")
def _day_before_sqlite(element: day_before, compiler: SQLCompiler, **kw: Any) -> str:
    """SQLite stores dates as ISO text: date(x, '-1 day') keeps that form."""
    return f"date({compiler.process(element.clauses, **kw)}, '-1 day')"


@compiles(day_before)
def _day_before_default(element: day_before, compiler: SQLCompiler, **kw: Any) -> str:
    """PostgreSQL: date - integer is a date."""
    return f"({compiler.process(element.clauses, **kw)} - 1)"


def effective_end() -> ColumnElement[date]:
    """A certificate's last valid day: the day before its revocation, or valid_until."""
    revoked_on, valid_until = col(Certificate.revoked_on), col(Certificate.valid_until)
    return sa.case(
        (sa.and_(revoked_on.is_not(None), revoked_on <= valid_until), day_before(revoked_on)),
        else_=valid_until,
    )


def in_force_on(day: date) -> ColumnElement[bool]:
    """The certificate is valid on `day`."""
    return sa.and_(col(Certificate.issued_on) <= day, effective_end() >= day)
