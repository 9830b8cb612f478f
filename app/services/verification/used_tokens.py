"""One-time form tokens: a signed token is spent once, in the transaction of what it sent.

The signature proves the site issued a token; only the database can tell it was already used.
Spending inserts its nonce under a primary key, so of two concurrent submissions of one form
exactly one inserts the row; the other inserts nothing and is refused (no exception, no savepoint).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col

from app.models import UsedFormToken, utcnow


def spend_token(*, session: Session, nonce: str, purpose: str, lifetime_s: float) -> bool:
    """Record the token as used (the caller commits); False when it was used before.

    Tokens past their lifetime are refused by their signature check anyway, so their rows go.
    """
    now = utcnow()
    session.execute(delete(UsedFormToken).where(col(UsedFormToken.expires_at) < now))
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgresql_insert
    statement = insert(UsedFormToken).values(nonce=nonce, purpose=purpose,
                                             expires_at=now + timedelta(seconds=lifetime_s))
    spent = statement.on_conflict_do_nothing(index_elements=["nonce"]).returning(col(UsedFormToken.nonce))
    return session.execute(spent).first() is not None  # RETURNING: an ORM insert's rowcount is not kept


def was_spent(*, session: Session, nonce: str) -> bool:
    """Whether a token with this nonce was spent already (a page may say so before its form is sent)."""
    return session.get(UsedFormToken, nonce) is not None
