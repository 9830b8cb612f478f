"""The mail outbox: queue a message in the caller's transaction; claim, settle and list them for the sender.

Delivery is **at least once**. A sender claims a due message with one conditional UPDATE
(`state='queued' AND id=…`), commits, then talks to the SMTP server, then marks it sent. If the
process dies after the server accepted the message but before `sent` is committed, the row stays
`sending` and is re-queued after `STALE_AFTER`, so the message goes out a second time. We chose that
over at-most-once (marking it sent before talking to the server) because a lost notice (a report's
outcome, a revoked certificate) is worse than a rare duplicate, and the duplicate carries the same
Message-ID, which mail clients use to fold the two. Two senders never send the same row: the UPDATE
matches for one of them only.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.utils import make_msgid, parseaddr

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from app.db import note_mail_queued
from app.domain.states import MailState
from app.models import MailMessage, utcnow
from app.services.mail.render import render_mail

# Waits before each retry after a temporary failure: 1 min, 5 min, 30 min, 2 h, 6 h; then failed.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
           timedelta(hours=6))
MAX_ATTEMPTS = len(BACKOFF) + 1
# A message `sending` for longer than this was claimed by a sender that died (SMTP itself times out
# after 30 s a step), so it is queued again.
STALE_AFTER = timedelta(minutes=10)
MAX_ERROR = 300


def valid_recipient(to: str) -> str:
    """`to` as one plain address (`ten@mien.vn`), or ValueError: no display name, no list, no newline."""
    name, address = parseaddr(to)
    if name or address != to.strip() or "@" not in address or any(c in to for c in "\r\n,;"):
        raise ValueError(f"not one e-mail address: {to!r}")
    Address(addr_spec=address)  # raises for what the header could not carry
    return address


def queue_mail(*, session: Session, to: str, template: str, context: dict[str, object], dedupe_key: str,
               headers: dict[str, str] | None = None) -> MailMessage | None:
    """Render `mail/<template>` and add it to the outbox in the caller's transaction (flushed, not committed).

    Returns None when a message with `dedupe_key` exists already (queued, sent or failed): it is never
    sent twice. The message exists only if the caller's transaction commits; then it is sent.
    """
    rendered = render_mail(template, context)
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgresql_insert
    statement = insert(MailMessage).values(
        dedupe_key=dedupe_key, recipient=valid_recipient(to), subject=rendered.subject,
        text_body=rendered.text, html_body=rendered.html,
        headers=json.dumps(headers or {}, ensure_ascii=False),
        state=MailState.QUEUED, attempts=0, created_at=utcnow(), next_attempt_at=utcnow(),
    )
    # A key queued before (or by a concurrent transaction) inserts nothing: no exception, no savepoint.
    added = session.execute(statement.on_conflict_do_nothing(index_elements=["dedupe_key"])
                            .returning(col(MailMessage.id))).first()
    if added is None:
        return None
    note_mail_queued(session)
    return session.get(MailMessage, added[0])


def requeue_stale(*, session: Session, now: datetime) -> int:
    """Put back messages left `sending` by a sender that died; returns how many."""
    result = session.execute(
        update(MailMessage)
        .where(col(MailMessage.state) == MailState.SENDING, col(MailMessage.claimed_at) < now - STALE_AFTER)
        .values(state=MailState.QUEUED, next_attempt_at=now)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def due_ids(*, session: Session, now: datetime, limit: int) -> list[int]:
    """Ids of queued messages whose time has come, oldest first."""
    query = (select(MailMessage.id).where(col(MailMessage.state) == MailState.QUEUED,
                                          col(MailMessage.next_attempt_at) <= now)
             .order_by(col(MailMessage.next_attempt_at), col(MailMessage.id)).limit(limit))
    return [i for i in session.exec(query).all() if i is not None]


def claim(*, session: Session, message_id: int, now: datetime, domain: str) -> MailMessage | None:
    """Take one due message for sending (one UPDATE: a second sender gets None); the caller commits."""
    result = session.execute(
        update(MailMessage)
        .where(col(MailMessage.id) == message_id, col(MailMessage.state) == MailState.QUEUED,
               col(MailMessage.next_attempt_at) <= now)
        .values(state=MailState.SENDING, claimed_at=now, attempts=MailMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    message = session.get(MailMessage, message_id, populate_existing=True)
    if message is not None and message.message_id is None:
        message.message_id = make_msgid(domain=domain)  # kept for every retry: one Message-ID per message
    return message


def mark_sent(*, session: Session, message: MailMessage, now: datetime) -> None:
    """Record the server's acceptance; the caller commits."""
    message.state, message.sent_at, message.last_error = MailState.SENT, now, None
    session.add(message)


def mark_failed_attempt(*, session: Session, message: MailMessage, now: datetime, error: str,
                        permanent: bool) -> MailState:
    """Schedule the next attempt after a temporary failure, or give up (permanent, or attempts spent)."""
    message.last_error = error[:MAX_ERROR]
    if permanent or message.attempts >= MAX_ATTEMPTS:
        message.state = MailState.FAILED
    else:
        message.state = MailState.QUEUED
        message.next_attempt_at = now + BACKOFF[message.attempts - 1]
    session.add(message)
    return message.state


def recent_mail(*, session: Session, limit: int = 50) -> Sequence[MailMessage]:
    """The newest messages, for `cnnt mail list`."""
    return session.exec(select(MailMessage).order_by(col(MailMessage.id).desc()).limit(limit)).all()
