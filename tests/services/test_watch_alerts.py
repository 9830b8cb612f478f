"""`cnnt alerts run` under a faked Vietnam date across 31/12, on SQLite and PostgreSQL.

Each alert is sent exactly once, one message per list and day; a second run the same day sends
nothing; a missed day catches up with the most urgent mark only; revocation and reinstatement are
noticed by comparing the status with what the ledger last recorded.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, col, select

from app.models import Certificate, MailMessage, Product, WatchAlert, WatchItem, WatchList
from app.services.records.revocation import revoke_certificate
from app.services.watch.alerts import AlertsReport, run_alerts
from app.services.watch.kinds import AlertKind
from app.services.watch.lists import Resolved, confirm_list, resolve, start_list
from tests.factories import add_certificate, make_product

BASE = "https://cnnt.example.vn"
SECRET = "khoa-bi-mat-thu-nghiem-cho-theo-doi"  # noqa: S105 - tests only
WATCHED_SINCE = datetime(2026, 9, 1, 3, 0, tzinfo=UTC)


def _certificate(session: Session, product: Product) -> Certificate:
    return session.exec(select(Certificate).where(Certificate.product_id == product.id)).one()


def _watch(session: Session, resolved: Resolved, *, confirmed: bool = True) -> WatchList:
    """A list as a buyer makes it on 01/09/2026 (the certificates existed before), confirmed."""
    for certificate in session.exec(select(Certificate)).all():
        certificate.created_at = WATCHED_SINCE - timedelta(days=1)
        session.add(certificate)
    watch = start_list(session=session, resolved=resolved, today=date(2026, 9, 1))
    for item in session.exec(select(WatchItem).where(WatchItem.list_id == watch.id)).all():
        item.created_at = WATCHED_SINCE
        session.add(item)
    watch.created_at = WATCHED_SINCE
    if confirmed:
        confirm_list(session=session, watch=watch, email="nguoi.mua@example.vn")
    session.commit()
    return watch


def _run(session: Session, day: date) -> AlertsReport:
    report = run_alerts(session=session, today=day, base_url=BASE, secret=SECRET)
    session.commit()
    return report


def _kinds(session: Session, day: date) -> list[tuple[int, str]]:
    """(certificate id, kind) of the alerts the run on `day` announced."""
    rows = session.exec(select(WatchAlert).where(WatchAlert.day == day, col(WatchAlert.notified))
                        .order_by(col(WatchAlert.certificate_id), col(WatchAlert.kind))).all()
    return [(r.certificate_id, r.kind) for r in rows]


def test_a_year_of_alerts_each_sent_once(session: Session) -> None:
    kept, revoked = make_product(session, name="Nón lá Huế"), make_product(session, name="Mắm tôm Hậu Lộc")
    a, b = _certificate(session, kept), _certificate(session, revoked)  # both valid until 31/12/2026
    watch = _watch(session, resolve(session=session, codes=[a.code, b.code], slugs=[]))
    assert _run(session, date(2026, 10, 1)).messages == 0  # 91 days left
    assert _run(session, date(2026, 10, 2)) == AlertsReport(messages=1, alerts=2, deleted_pending=0)
    ninety = AlertKind.ends_in_90
    assert _kinds(session, date(2026, 10, 2)) == sorted([(a.id, ninety), (b.id, ninety)])
    assert _run(session, date(2026, 10, 2)).messages == 0  # twice the same day: nothing the second time
    assert _run(session, date(2026, 10, 3)).messages == 0
    revoke_certificate(session=session, certificate=b, on=date(2026, 10, 15), reason="Vi phạm quy định nhãn")
    session.commit()
    assert _run(session, date(2026, 10, 15)).alerts == 1
    assert _kinds(session, date(2026, 10, 15)) == [(b.id, AlertKind.revoked)]
    assert _run(session, date(2026, 11, 30)).messages == 0
    assert _run(session, date(2026, 12, 1)).alerts == 1  # 30 days: the revoked one is not counted down
    assert _kinds(session, date(2026, 12, 1)) == [(a.id, AlertKind.ends_in_30)]
    assert _run(session, date(2026, 12, 31)).alerts == 1
    assert _kinds(session, date(2026, 12, 31)) == [(a.id, AlertKind.ended)]
    assert _run(session, date(2027, 1, 1)).messages == 0
    assert _run(session, date(2027, 1, 1)).messages == 0
    mails = session.exec(select(MailMessage).order_by(col(MailMessage.id))).all()
    assert [m.dedupe_key for m in mails] == [f"watch:{watch.id}:{d}" for d in
                                             ("2026-10-02", "2026-10-15", "2026-12-01", "2026-12-31")]
    assert all(m.recipient == "nguoi.mua@example.vn" for m in mails)
    assert "Đã bị thu hồi" in mails[1].text_body and "Mắm tôm Hậu Lộc" in mails[1].text_body
    assert "hiệu lực đến 31/12/2026 | còn 30 ngày" in mails[2].text_body


def test_a_missed_day_catches_up_with_the_most_urgent_mark_only(session: Session) -> None:
    product = make_product(session)
    certificate = _certificate(session, product)
    _watch(session, resolve(session=session, codes=[certificate.code], slugs=[]))
    assert _run(session, date(2026, 12, 5)).alerts == 1  # the 90 and 30 marks both passed unseen
    assert _kinds(session, date(2026, 12, 5)) == [(certificate.id, AlertKind.ends_in_30)]
    assert _run(session, date(2026, 12, 6)).messages == 0
    assert _run(session, date(2027, 1, 3)).alerts == 1  # the 31/12 run was missed as well
    assert _kinds(session, date(2027, 1, 3)) == [(certificate.id, AlertKind.ended)]


def test_reinstatement_and_a_new_certificate_of_a_watched_product(session: Session) -> None:
    product = make_product(session, issued_on=date(2025, 3, 1))  # valid until 31/12/2028: no end mark
    certificate = _certificate(session, product)
    watch = _watch(session, resolve(session=session, codes=[], slugs=[product.slug]))
    revoke_certificate(session=session, certificate=certificate, on=date(2026, 9, 10), reason="Sai thông tin")
    session.commit()
    assert _kinds(session, date(2026, 9, 10)) == [] and _run(session, date(2026, 9, 10)).alerts == 1
    certificate.revoked_on, certificate.revoked_reason = None, None  # the office reinstates it
    session.add(certificate)
    newer = add_certificate(session, product, level="khu_vuc", issued_on=date(2026, 9, 20))
    newer.created_at = WATCHED_SINCE + timedelta(days=20)
    session.commit()
    _run(session, date(2026, 9, 21))
    assert _kinds(session, date(2026, 9, 21)) == sorted([(certificate.id, AlertKind.reinstated),
                                                          (newer.id, AlertKind.new_certificate)])
    assert _run(session, date(2026, 9, 22)).messages == 0
    assert session.exec(select(MailMessage)).all()[-1].dedupe_key == f"watch:{watch.id}:2026-09-21"


def test_a_certificate_revoked_before_it_was_watched_is_not_news(session: Session) -> None:
    product = make_product(session, issued_on=date(2025, 3, 1), revoked_on=date(2026, 5, 1))
    _watch(session, resolve(session=session, codes=[_certificate(session, product).code], slugs=[]))
    assert _run(session, date(2026, 9, 2)).messages == 0


def test_unconfirmed_lists_are_deleted_after_seven_days_and_never_mailed(session: Session) -> None:
    product = make_product(session)
    pending = _watch(session, resolve(session=session, codes=[_certificate(session, product).code], slugs=[]),
                     confirmed=False)
    fresh = _watch(session, resolve(session=session, codes=[], slugs=[product.slug]), confirmed=False)
    fresh.created_at = datetime.now(UTC) - timedelta(days=6)
    pending.created_at = datetime.now(UTC) - timedelta(days=8)
    session.add_all([fresh, pending])
    session.commit()
    report = _run(session, date(2026, 12, 31))
    assert (report.messages, report.deleted_pending) == (0, 1)
    assert [w.id for w in session.exec(select(WatchList)).all()] == [fresh.id]
