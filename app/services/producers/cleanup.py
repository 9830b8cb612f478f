"""Producer accounts never confirmed: deleted a week after registering, with the link mail they were sent.

An unconfirmed account is an address someone typed and nobody proved; keeping it keeps a stranger's
address for nothing. Run by the periodic job (`cnnt alerts run`, app/cli_alerts.py), as the watch
lists never confirmed are. Never an account that was confirmed or holds a producer: those are the
producers' own. The caller commits.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, or_
from sqlmodel import Session, col, select

from app.domain.states import MailState
from app.models import MailMessage, ProducerAccount, utcnow
from app.services.producers.tokens import LIFETIMES, LinkPurpose

UNCONFIRMED_LIFETIME = timedelta(days=7)
LONGEST_LINK = max(LIFETIMES.values())


def _link_mail(email: str) -> ColumnElement[bool]:
    """The condition that picks the one-time link messages queued to `email` (their keys name the purpose)."""
    keys = (col(MailMessage.dedupe_key).startswith(f"{purpose.value}:") for purpose in LinkPurpose)
    return and_(col(MailMessage.recipient) == email, or_(*keys))


def delete_unconfirmed(*, session: Session, now: datetime | None = None) -> int:
    """Delete the accounts unconfirmed UNCONFIRMED_LIFETIME after registering, and their link mail; how many.

    An account mailed a link that can still be used (registered again, or asked for a link, lately) waits
    until that link expires: no live link may ever name a deleted account's id, which SQLite can give to
    the next account registered. A message the sender holds right now (`sending`) is left for it to finish.
    """
    now = now or utcnow()
    stale = session.exec(select(ProducerAccount).where(
        col(ProducerAccount.confirmed_at).is_(None), col(ProducerAccount.producer_id).is_(None),
        col(ProducerAccount.created_at) < now - UNCONFIRMED_LIFETIME)).all()
    deleted = 0
    for account in stale:
        recent = select(MailMessage.id).where(_link_mail(account.email),
                                              col(MailMessage.created_at) > now - LONGEST_LINK)
        if session.exec(recent).first() is not None:
            continue
        session.execute(delete(MailMessage).where(_link_mail(account.email),
                                                  col(MailMessage.state) != MailState.SENDING)
                        .execution_options(synchronize_session=False))
        session.delete(account)
        deleted += 1
    session.flush()
    return deleted
