"""Watch lists through the site, with a real SMTP server on loopback: start, confirm, manage, unsubscribe.

Also: forged, expired and replayed links and forms get a clear page (never a 500); rate limits per
address; the private Atom feed and iCalendar file read by independent parsers (feedparser, icalendar).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import icalendar
import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.config import Settings
from app.forms.watch import FORM_PURPOSE
from app.main import create_app
from app.models import Certificate, MailMessage, Product, WatchList
from app.services.mail import Sender, deliver_due
from app.services.records.revocation import revoke_certificate
from app.services.watch.alerts import run_alerts
from app.services.watch.feeds import fold
from app.services.watch.tokens import LinkPurpose, sign_link
from app.web.form_tokens import issue_token
from tests.factories import make_product
from tests.smtp import KeepingHandler, Received, smtp_server

ADDRESS = "nguoi.mua@example.vn"


@pytest.fixture
def mail_server() -> Iterator[tuple[KeepingHandler, int]]:
    with smtp_server() as running:
        yield running


@pytest.fixture
def mail_settings(
    tmp_path: Path, db_url: str, engine: Engine, mail_server: tuple[KeepingHandler, int]
) -> Settings:
    return Settings(
        data_dir=tmp_path,
        database_url=db_url,
        smtp_url=f"smtp://127.0.0.1:{mail_server[1]}",
        base_url="https://cnnt.example.vn",
        mail_from="CNNT <no-reply@cnnt.example.vn>",
    )


@pytest.fixture
def site(mail_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(mail_settings)) as c:
        yield c


def _token(settings: Settings) -> str:
    return issue_token(secret=settings.secret_key, purpose=FORM_PURPOSE, now=time.time() - 10)


def _received(engine: Engine, settings: Settings, handler: KeepingHandler, count: int) -> list[Received]:
    """Deliver what is queued and wait for the server to hold `count` messages."""
    deliver_due(engine=engine, sender=Sender.from_settings(settings))
    for _ in range(100):
        if len(handler.received) >= count:
            break
        time.sleep(0.05)
    return handler.received


def _text(received: Received) -> str:
    part = received.message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def _certificate(session: Session, product: Product) -> Certificate:
    return session.exec(select(Certificate).where(Certificate.product_id == product.id)).one()


def test_start_confirm_alert_and_unsubscribe_in_one_click(
    site: TestClient,
    session: Session,
    engine: Engine,
    mail_settings: Settings,
    mail_server: tuple[KeepingHandler, int],
) -> None:
    handler, _ = mail_server
    kept, watched = make_product(session, name="Nón lá Huế"), make_product(session, name="Mắm tôm Hậu Lộc")
    session.commit()
    code = _certificate(session, watched).code
    answer = site.post(
        "/theo-doi",
        data={
            "code": [f"{code[:4]}-{code[4:].lower()}", "KHONGCO1"],
            "slug": [kept.slug],
            "email": ADDRESS,
            "form_token": _token(mail_settings),
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"].startswith("/theo-doi/da-gui?n=2")
    assert session.exec(select(WatchList)).one().email is None  # not stored before confirmation
    [confirm_mail] = _received(engine, mail_settings, handler, 1)
    assert confirm_mail.rcpt_tos == [ADDRESS]
    link = re.search(r"https://cnnt\.example\.vn(/theo-doi/xac-nhan\?t=\S+)", _text(confirm_mail))
    assert link is not None
    page = BeautifulSoup(site.get(link.group(1)).text, "html.parser")  # a GET only shows the button
    assert session.exec(select(WatchList)).one().email is None
    token = page.find("input", attrs={"name": "t"})["value"]  # type: ignore[index]
    confirmed = site.post("/theo-doi/xac-nhan", data={"t": token}, follow_redirects=False)
    assert confirmed.status_code == 303 and "xn=1" in confirmed.headers["location"]
    manage = BeautifulSoup(site.get(confirmed.headers["location"]).text, "html.parser")
    assert "n••••••••@example.vn" in manage.get_text() and ADDRESS not in manage.get_text()
    names = [a.get_text() for a in manage.select("table.watch-table tbody td:first-child a")]
    assert names == ["Mắm tôm Hậu Lộc", "Nón lá Huế"]
    again = site.post("/theo-doi/xac-nhan", data={"t": token}, follow_redirects=False)  # a replayed link
    assert again.status_code == 303 and "xn=0" in again.headers["location"]

    revoke_certificate(
        session=session,
        certificate=_certificate(session, watched),
        on=date(2026, 12, 1),
        reason="Vi phạm quy định sử dụng biểu trưng",
    )
    session.commit()
    run_alerts(
        session=session,
        today=date(2026, 12, 1),
        base_url=mail_settings.public_base_url,
        secret=mail_settings.secret_key,
    )
    session.commit()
    alert = _received(engine, mail_settings, handler, 2)[1]
    body = _text(alert)
    assert "Mắm tôm Hậu Lộc" in body and "Đã bị thu hồi" in body
    assert (
        "Nón lá Huế" in body and "còn 30 ngày" in body
    )  # 30 days to 31/12/2026: its own alert and the table
    assert alert.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = re.fullmatch(
        r"<https://cnnt\.example\.vn(/theo-doi/huy\?t=\S+)>", alert.message["List-Unsubscribe"]
    )
    assert unsubscribe is not None
    one_click = site.post(
        unsubscribe.group(1), data={"List-Unsubscribe": "One-Click"}
    )  # what a mail client sends
    assert one_click.status_code == 200
    assert session.exec(select(WatchList)).all() == []
    assert session.exec(select(MailMessage)).all() == []  # the address is gone from the outbox too
    assert site.post(unsubscribe.group(1)).status_code == 404  # gone: a clear page, not a 500


def _watch(session: Session, settings: Settings, *, confirmed: bool = True) -> WatchList:
    from app.services.watch.lists import confirm_list, resolve, start_list

    product = make_product(
        session, name="Chè Shan tuyết; “Hà Giang”, búp, rất dài để gấp dòng theo RFC 5545 ở 75"
    )
    watch = start_list(
        session=session,
        resolved=resolve(session=session, codes=[], slugs=[product.slug]),
        today=date(2026, 12, 7),
    )
    if confirmed:
        confirm_list(session=session, watch=watch, email=ADDRESS)
    session.commit()
    return watch


def test_forged_expired_and_foreign_links_get_a_page(
    client: TestClient, session: Session, settings: Settings
) -> None:
    watch = _watch(session, settings)
    good = sign_link(
        secret=settings.secret_key, purpose=LinkPurpose.manage, list_id=watch.id or 0, feed_key=watch.feed_key
    )
    assert client.get("/theo-doi/quan-ly", params={"t": good}).status_code == 200
    assert client.get("/theo-doi/quan-ly", params={"t": good[:-3]}).status_code == 400
    assert client.get("/theo-doi/quan-ly", params={"t": "rac"}).status_code == 400
    other = sign_link(
        secret="khac", purpose=LinkPurpose.manage, list_id=watch.id or 0, feed_key=watch.feed_key
    )
    assert client.get("/theo-doi/quan-ly", params={"t": other}).status_code == 400
    unsubscribe_as_manage = sign_link(
        secret=settings.secret_key,
        purpose=LinkPurpose.unsubscribe,
        list_id=watch.id or 0,
        feed_key=watch.feed_key,
    )
    assert client.get("/theo-doi/quan-ly", params={"t": unsubscribe_as_manage}).status_code == 400
    assert (
        client.post("/theo-doi/huy", params={"t": good}).status_code == 400
    )  # a manage link cannot unsubscribe
    wrong_list = sign_link(
        secret=settings.secret_key, purpose=LinkPurpose.manage, list_id=watch.id or 0, feed_key="khac" * 6
    )
    assert client.get("/theo-doi/quan-ly", params={"t": wrong_list}).status_code == 404


def test_a_replayed_form_is_refused_and_addresses_are_rate_limited(
    client: TestClient, session: Session, settings: Settings
) -> None:
    product = make_product(session)
    session.commit()
    form = {"slug": product.slug, "email": ADDRESS, "form_token": _token(settings)}
    assert client.post("/theo-doi", data=form, follow_redirects=False).status_code == 303
    assert client.post("/theo-doi", data=form, follow_redirects=False).status_code == 409
    assert client.post("/theo-doi", data={**form, "form_token": "gia.mao.x"}).status_code == 400
    assert (
        client.post(
            "/theo-doi",
            data={**form, "email": "khong-phai-email", "form_token": _token(settings)},
        ).status_code
        == 422
    )
    statuses = [
        client.post(
            "/theo-doi", data={**form, "form_token": _token(settings)}, follow_redirects=False
        ).status_code
        for _ in range(2)
    ]
    assert statuses == [303, 429]  # three tries a day per address, the replayed one included
    assert len(session.exec(select(MailMessage)).all()) == 2


def test_feed_and_calendar_parse_with_independent_parsers(
    client: TestClient, session: Session, settings: Settings
) -> None:
    watch = _watch(session, settings)
    certificate = session.exec(select(Certificate)).one()
    revoke_certificate(session=session, certificate=certificate, on=date(2026, 12, 7), reason="Sai thông tin")
    session.commit()
    run_alerts(
        session=session,
        today=date(2026, 12, 7),
        base_url=settings.public_base_url,
        secret=settings.secret_key,
    )
    session.commit()
    atom = client.get(f"/theo-doi/{watch.feed_key}.atom")
    parsed = feedparser.parse(atom.text)
    assert not parsed.bozo and parsed.version == "atom10"
    assert [e.title.split(" – ")[-1] for e in parsed.entries] == ["Đã bị thu hồi"]
    certificate.revoked_on = None
    session.add(certificate)
    session.commit()
    response = client.get(f"/theo-doi/{watch.feed_key}.ics")
    assert response.headers["content-type"].startswith("text/calendar")
    raw = response.content
    assert all(len(line) <= 75 for line in raw.split(b"\r\n")) and b"\n" not in raw.replace(b"\r\n", b"")
    cal = icalendar.Calendar.from_ical(raw)
    [event] = cal.walk("VEVENT")
    assert event.get("dtstart").dt == certificate.valid_until
    assert (
        str(event.get("uid"))
        == f"certificate-{certificate.code}@{urlsplit(settings.public_base_url).hostname}"
    )
    assert "Chè Shan tuyết; “Hà Giang”, búp" in str(event.get("summary"))
    assert sorted(str(a.get("trigger").dt) for a in event.walk("VALARM")) == [
        "-30 days, 0:00:00",
        "-90 days, 0:00:00",
    ]
    assert client.get("/theo-doi/khong-co-danh-sach-nay.ics").status_code == 404
    pending = _watch(session, settings, confirmed=False)
    assert client.get(f"/theo-doi/{pending.feed_key}.atom").status_code == 404


def test_fold_never_splits_a_character() -> None:
    line = "SUMMARY:" + "Mắm tôm Hậu Lộc " * 12
    folded = fold(line).encode()
    assert all(len(part) <= 75 for part in folded.split(b"\r\n"))
    assert fold(line).replace("\r\n ", "") == line


def test_the_shortlist_offers_watching_its_products(client: TestClient, session: Session) -> None:
    product = make_product(session, name="Nón lá Huế")
    session.commit()
    client.cookies.set("cnnt_chon", product.slug)
    page = BeautifulSoup(client.get("/danh-sach-chon").text, "html.parser")
    form = page.find("form", class_="shortlist__watch")
    assert form is not None and form["action"] == "/theo-doi"
    assert [i["value"] for i in form.find_all("input", attrs={"name": "slug"})] == [product.slug]
    english = BeautifulSoup(client.get("/en/theo-doi").text, "html.parser")
    assert english.find("form", class_="watch-form")["action"] == "/en/theo-doi"  # type: ignore[index]


def test_a_long_checked_list_posts_as_repeated_code_fields(
    client: TestClient, session: Session, settings: Settings
) -> None:
    product = make_product(session)
    session.commit()
    codes = [_certificate(session, product).code, *(f"KHONGCO{n % 10}" for n in range(1500))]
    form = {"code": codes, "email": ADDRESS, "form_token": _token(settings)}
    answer = client.post("/theo-doi", data=form, follow_redirects=False)
    assert answer.status_code == 303 and "n=1&" in answer.headers["location"]


def test_the_manage_link_adds_removes_and_deletes(
    client: TestClient, session: Session, settings: Settings
) -> None:
    watch = _watch(session, settings)
    other = make_product(session, name="Mắm tôm Hậu Lộc")
    session.commit()
    token = sign_link(
        secret=settings.secret_key, purpose=LinkPurpose.manage, list_id=watch.id or 0, feed_key=watch.feed_key
    )

    def items() -> list[str]:
        page = BeautifulSoup(client.get("/theo-doi/quan-ly", params={"t": token}).text, "html.parser")
        return [li.get_text(" ", strip=True).split(" — ")[0] for li in page.select("ul.watch-items > li")]

    added = client.post(
        "/theo-doi/quan-ly/them", data={"t": token, "code": _certificate(session, other).code}
    )
    assert added.status_code == 200 and len(items()) == 2
    page = BeautifulSoup(client.get("/theo-doi/quan-ly", params={"t": token}).text, "html.parser")
    first = page.select_one("ul.watch-items input[name=item]")
    assert first is not None
    client.post("/theo-doi/quan-ly/bo", data={"t": token, "item": first["value"]})
    assert items() == ["Mắm tôm Hậu Lộc"]
    assert client.post("/theo-doi/quan-ly/xoa", data={"t": token}).status_code == 200
    assert session.exec(select(WatchList)).all() == []
    assert client.get("/theo-doi/quan-ly", params={"t": token}).status_code == 404
