"""Sending what the outbox holds: build each message, claim it, hand it to the transport, settle it.

`deliver_due` is one pass (the `cnnt mail send` command, and each turn of the sender); `MailSender`
runs passes in a background thread of the app, when a commit queued mail (`wake`) and every
`interval_s` for retries, so no request waits on an SMTP server. Delivery is at least once: see
app/services/mail/outbox.py for why.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import urlsplit

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.config import Settings
from app.domain.states import MailState
from app.models import MailMessage, utcnow
from app.services.mail.outbox import claim, due_ids, mark_failed_attempt, mark_sent, requeue_stale
from app.services.mail.transports import MailDeliveryError, MailTransport, transport_for

log = logging.getLogger(__name__)
PASS_LIMIT = 200  # messages per pass; the rest wait for the next one


@dataclass(frozen=True, slots=True)
class Sender:
    """Who sends (CNNT_MAIL_FROM), the domain of Message-IDs (CNNT_BASE_URL's host), and how."""

    mail_from: str
    domain: str
    transport: MailTransport

    @classmethod
    def from_settings(cls, settings: Settings) -> Sender:
        """The sender the settings describe."""
        return cls(mail_from=settings.mail_from, domain=urlsplit(settings.base_url).hostname or "localhost",
                   transport=transport_for(settings))


@dataclass(slots=True)
class DeliveryReport:
    """What one pass did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0


def build_email(message: MailMessage, *, mail_from: str, now: datetime) -> EmailMessage:
    """The stdlib message: UTF-8 multipart/alternative (text, HTML), encoded subject, Date, Message-ID."""
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = mail_from
    email["To"] = message.recipient
    email["Date"] = format_datetime(now)
    email["Message-ID"] = message.message_id
    for name, value in json.loads(message.headers).items():
        email[name] = value
    email.set_content(message.text_body, charset="utf-8")
    email.add_alternative(message.html_body, subtype="html", charset="utf-8")
    return email


def deliver_due(*, engine: Engine, sender: Sender, now: datetime | None = None) -> DeliveryReport:
    """Send every message due at `now` (default: this instant); safe to run anywhere, any number of times."""
    now = now or utcnow()
    report = DeliveryReport()
    with Session(engine) as session:
        if requeue_stale(session=session, now=now):
            log.warning("E-mail: messages left 'sending' by a stopped sender are queued again")
        session.commit()
        ids = due_ids(session=session, now=now, limit=PASS_LIMIT)
    for message_id in ids:
        state = _deliver_one(engine=engine, sender=sender, message_id=message_id, now=now)
        if state is MailState.SENT:
            report.sent += 1
        elif state is MailState.QUEUED:
            report.retrying += 1
        elif state is MailState.FAILED:
            report.failed += 1
    return report


def _deliver_one(*, engine: Engine, sender: Sender, message_id: int, now: datetime) -> MailState | None:
    """Claim one message and send it; None when another sender claimed it first."""
    with Session(engine, expire_on_commit=False) as session:
        message = claim(session=session, message_id=message_id, now=now, domain=sender.domain)
        session.commit()
        if message is None:
            return None
        try:
            sender.transport.send(build_email(message, mail_from=sender.mail_from, now=utcnow()),
                                  number=message_id)
        except MailDeliveryError as error:
            state = mark_failed_attempt(session=session, message=message, now=now, error=str(error),
                                        permanent=error.permanent)
            session.commit()
            _log_failure(message, state, error)
            return state
        mark_sent(session=session, message=message, now=utcnow())
        session.commit()
        return MailState.SENT


def _log_failure(message: MailMessage, state: MailState, error: MailDeliveryError) -> None:
    """One line per failed attempt; an error when the message is given up."""
    if state is MailState.FAILED:
        log.error("E-mail %s to %s failed for good after %d attempt(s): %s",
                  message.id, message.recipient, message.attempts, error)
    else:
        log.warning("E-mail %s: attempt %d failed (%s); next at %s",
                    message.id, message.attempts, error, message.next_attempt_at)


class MailSender:
    """A background thread running `deliver` when woken (a commit queued mail) and every `interval_s`."""

    def __init__(self, deliver: Callable[[], object], *, interval_s: float = 30.0) -> None:
        self._deliver = deliver
        self._interval_s = interval_s
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cnnt-mail", daemon=True)

    def start(self) -> None:
        """Start the thread; its first pass sends what was queued while no sender ran."""
        self._wake.set()
        self._thread.start()

    def wake(self) -> None:
        """Ask for a pass now; returns at once (called from the request's commit)."""
        self._wake.set()

    def stop(self, timeout_s: float = 35.0) -> None:
        """Finish the pass in progress (a message is never left half-sent by us) and end the thread."""
        self._stopping.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout_s)

    def _run(self) -> None:
        """Pass after pass until stopped."""
        while not self._stopping.is_set():
            self._wake.wait(self._interval_s)
            self._wake.clear()
            if self._stopping.is_set():
                return
            try:
                self._deliver()
            except Exception:  # the database may be down for a while: log it, retry at the next turn
                log.exception("E-mail: a sending pass failed; retrying in %.0f s", self._interval_s)
