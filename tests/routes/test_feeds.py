"""The Atom feed of new winners: parses as Atom, newest first, filters validated."""

from __future__ import annotations

from datetime import date

import feedparser
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import Certificate, SelectionRound
from tests.factories import add_certificate, make_product


def _seed(session: Session) -> None:
    latest = SelectionRound(level="quoc_gia", year=2025)
    draft = SelectionRound(level="tinh", year=2026, state="draft")
    session.add_all([latest, draft])
    session.flush()
    old = make_product(session, name="Nón lá Huế", province_slug="hue", group="thu_cong_my_nghe",
                       issued_on=date(2021, 11, 1))
    cert = add_certificate(session, old, level="quoc_gia", issued_on=date(2025, 10, 20), certified_in="hue")
    cert.round_id = latest.id
    make_product(session, name="Mì Chũ", province_slug="bac-ninh", certified_in="bac-giang",
                 issued_on=date(2024, 5, 2))
    hidden = make_product(session, name="Bản nháp", issued_on=date(2026, 3, 1))
    for hidden_cert in session.exec(select(Certificate).where(Certificate.product_id == hidden.id)):
        hidden_cert.round_id = draft.id  # a draft round's winners are not published yet
    session.commit()


def _feed(client: TestClient, query: str = "") -> feedparser.FeedParserDict:
    response = client.get(f"/feeds/moi.atom{query}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.text)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def test_feed_lists_latest_winners_first(client: TestClient, session: Session) -> None:
    """The latest round's winner comes first; each entry links to its product with a tag: id."""
    _seed(session)
    feed = _feed(client)
    titles = [e.title for e in feed.entries]
    assert titles[0] == "Nón lá Huế – Cấp quốc gia năm 2025"
    assert "Mì Chũ – Cấp tỉnh năm 2024" in titles
    assert not any(t.startswith("Bản nháp") for t in titles)
    first = feed.entries[0]
    assert first.link.startswith("http://127.0.0.1:8000/san-pham/")
    assert first.id.startswith("tag:127.0.0.1,2025:certificate/")
    assert first.updated and "Cấp quốc gia" not in first.summary and "cấp quốc gia" in first.summary
    assert len({e.id for e in feed.entries}) == len(feed.entries)


def test_feed_filters(client: TestClient, session: Session) -> None:
    """Province (current or former), group and level narrow the feed."""
    _seed(session)
    assert {e.title.split(" – ")[0] for e in _feed(client, "?tinh=bac-ninh").entries} == {"Mì Chũ"}
    assert {e.title.split(" – ")[0] for e in _feed(client, "?tinh=Bac Giang").entries} == {"Mì Chũ"}
    assert [e.title for e in _feed(client, "?cap=quoc_gia").entries] == ["Nón lá Huế – Cấp quốc gia năm 2025"]
    assert {e.title.split(" – ")[0] for e in _feed(client, "?nhom=1").entries} == {"Nón lá Huế"}
    assert _feed(client, "?tinh=hue&cap=tinh").entries[0].title == "Nón lá Huế – Cấp tỉnh năm 2021"


def test_feed_rejects_unknown_filters(client: TestClient) -> None:
    """An unknown province, group or level is a 422, not an empty feed."""
    for query in ("?tinh=atlantis", "?nhom=9", "?cap=vu-tru"):
        assert client.get(f"/feeds/moi.atom{query}").status_code == 422, query


def test_home_page_links_the_feed(client: TestClient) -> None:
    """Feed readers discover the feed from the home page."""
    soup = BeautifulSoup(client.get("/").text, "html.parser")
    link = soup.find("link", rel="alternate", type="application/atom+xml")
    assert link is not None and link["href"] == "/feeds/moi.atom"
