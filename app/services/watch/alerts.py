"""What `cnnt alerts run` sends: each list's due alerts on a Vietnam date, in one message per list and day.

An alert is due when the ledger (WatchAlert) lacks it:
- end marks: the most urgent mark reached (≤ 90, ≤ 30, ≤ 0 days left) for the certificate's current
  valid-until date; a missed day catches up, and a 90-day alert is never sent once the 30-day one is
  due. A certificate that had ended before it was watched gets no "ended" alert.
- revoked / reinstated: the certificate's status today against the newest revoked/reinstated row of
  the ledger (baseline rows included). Comparing states, not reading audit entries, also covers
  revocations made by an import or a backdated correction.
- new certificate: a certificate of a watched product created after the product was added.
The message and its ledger rows go into the caller's one transaction; when a list's message of the
day exists already, nothing is recorded and the alerts wait for the next day's message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from app.domain.validity import CertificateStatus, in_vietnam
from app.models import WatchAlert, WatchItem, WatchList
from app.services.watch.kinds import AlertKind, most_urgent_mark
from app.services.watch.lists import delete_stale_pending, items_of, last_revocation_states
from app.services.watch.mails import AlertLine, queue_alerts
from app.services.watch.table import WatchRow, watch_rows


@dataclass(frozen=True, slots=True)
class DueAlert:
    """An alert to send and record: the row it is about, its kind and its ledger mark."""

    row: WatchRow
    kind: AlertKind
    mark: str


@dataclass(frozen=True, slots=True)
class AlertsReport:
    """What a run did: messages queued, alerts recorded, stale pending lists deleted."""

    messages: int
    alerts: int
    deleted_pending: int


def _watch_start(items: list[WatchItem], row: WatchRow) -> date | None:
    """The Vietnam day the row's certificate began to be watched (its own item, or its product's)."""
    days = [in_vietnam(i.created_at).date() for i in items if i.certificate_id == row.certificate.id
            or (i.certificate_id is None and i.product_id == row.product.id)]
    return min(days, default=None)


def _end_alert(row: WatchRow, today: date, start: date | None) -> DueAlert | None:
    """The most urgent end mark reached, unless the certificate is revoked or ended before it was watched."""
    if row.status is CertificateStatus.revoked:
        return None
    kind = most_urgent_mark((row.certificate.valid_until - today).days)
    if kind is None or (kind is AlertKind.ended and (start is None or row.certificate.valid_until < start)):
        return None
    return DueAlert(row=row, kind=kind, mark=row.certificate.valid_until.isoformat())


def _revocation_alert(row: WatchRow, last: AlertKind | None, today: date) -> DueAlert | None:
    """Revoked or reinstated when the status today differs from what the ledger last knew."""
    revoked = row.status is CertificateStatus.revoked
    if revoked and last is not AlertKind.revoked:
        return DueAlert(row=row, kind=AlertKind.revoked, mark=today.isoformat())
    if not revoked and last is AlertKind.revoked:
        return DueAlert(row=row, kind=AlertKind.reinstated, mark=today.isoformat())
    return None


def _new_certificate_alert(items: list[WatchItem], row: WatchRow) -> DueAlert | None:
    """A certificate created after its product was added to the list."""
    added = [i.created_at for i in items if i.certificate_id is None and i.product_id == row.product.id]
    created = in_vietnam(row.certificate.created_at)
    if not added or created <= min(in_vietnam(a) for a in added):
        return None
    return DueAlert(row=row, kind=AlertKind.new_certificate, mark="new")


def due_alerts(*, session: Session, watch: WatchList, rows: list[WatchRow], today: date) -> list[DueAlert]:
    """The list's alerts due on `today` that its ledger does not hold yet."""
    sent = {(a.certificate_id, a.kind, a.mark) for a in session.exec(
        select(WatchAlert).where(WatchAlert.list_id == watch.id)).all()}
    states = last_revocation_states(session=session, list_id=watch.id or 0)
    items = items_of(session=session, watch=watch)
    due: list[DueAlert] = []
    for row in rows:
        last = states.get(row.certificate.id or 0)
        found = (_new_certificate_alert(items, row), _revocation_alert(row, last, today),
                 _end_alert(row, today, _watch_start(items, row)))
        due += [a for a in found if a is not None and (row.certificate.id, a.kind, a.mark) not in sent]
    return due


def run_list(*, session: Session, watch: WatchList, today: date, base_url: str, secret: str) -> int:
    """Queue the list's message of the day and record its alerts; returns how many alerts were sent."""
    rows = watch_rows(session=session, watch=watch, today=today)
    due = due_alerts(session=session, watch=watch, rows=rows, today=today)
    if not due:
        return 0
    lines = [AlertLine(row=a.row, words=a.kind.label) for a in due]
    if queue_alerts(session=session, watch=watch, alerts=lines, rows=rows, day=today, base_url=base_url,
                    secret=secret) is None:
        return 0  # today's message went out already: these wait for tomorrow's
    for alert in due:
        session.add(WatchAlert(list_id=watch.id or 0, certificate_id=alert.row.certificate.id or 0,
                               kind=alert.kind, mark=alert.mark, day=today))
    session.flush()
    return len(due)


def run_alerts(*, session: Session, today: date, base_url: str, secret: str) -> AlertsReport:
    """Every confirmed list's alerts due on `today`, and stale pending lists deleted; the caller commits."""
    deleted = delete_stale_pending(session=session)
    lists = session.exec(select(WatchList).where(col(WatchList.confirmed_at).is_not(None))
                         .order_by(col(WatchList.id))).all()
    messages = alerts = 0
    for watch in lists:
        count = run_list(session=session, watch=watch, today=today, base_url=base_url, secret=secret)
        messages, alerts = messages + (count > 0), alerts + count
    return AlertsReport(messages=messages, alerts=alerts, deleted_pending=deleted)
