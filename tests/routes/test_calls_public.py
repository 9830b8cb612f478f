"""The public calls for entries: the list by stage, one call, withdrawn rounds hidden, English under /en."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.domain.calls import criteria_json, default_criteria, default_documents, documents_json
from app.domain.levels import Level
from app.domain.states import RoundState
from app.models import Certificate, RoundCall, SelectionRound
from tests.factories import make_product, province
from tests.routes.test_pages import html
from tests.routes.test_verify import on_day

TODAY = date(2026, 12, 10)


def _call(session: Session, *, level: str = "tinh", slug: str | None = "hue", region: str | None = None,
          opens: date, closes: date, state: RoundState = RoundState.PUBLISHED, **extra: object) -> int:
    rnd = SelectionRound(level=level, year=opens.year, region=region, state=state,
                         province_id=province(session, slug).id if slug else None)
    session.add(rnd)
    session.flush()
    assert rnd.id is not None
    session.add(RoundCall(round_id=rnd.id, opens_on=opens, closes_on=closes,
                          documents=documents_json(default_documents(Level(level))),
                          criteria=criteria_json(default_criteria()), **extra))
    session.commit()
    return rnd.id


@pytest.fixture
def calls(client: TestClient, session: Session) -> dict[str, int]:
    """One call in each stage on TODAY, and one of a withdrawn round."""
    ids = {
        "scoring": _call(session, slug="hue", opens=date(2026, 9, 1), closes=date(2026, 10, 31)),
        "upcoming": _call(session, slug="ha-noi", opens=date(2027, 1, 5), closes=date(2027, 2, 5)),
        "receiving": _call(session, level="khu_vuc", slug=None, region="nam", opens=date(2026, 12, 1),
                           closes=date(2026, 12, 31), results_on=date(2027, 3, 1), pass_mark=70.5,
                           notes="Nộp tại Cục Công Thương địa phương.\nĐiện thoại: 000 (ví dụ)."),
        "published": _call(session, slug="da-nang", opens=date(2026, 3, 1), closes=date(2026, 4, 30)),
        "withdrawn": _call(session, slug="can-tho", opens=date(2026, 12, 1), closes=date(2026, 12, 31),
                           state=RoundState.WITHDRAWN),
    }
    product = make_product(session, name="Nón lá Đà Nẵng", province_slug="da-nang",
                           issued_on=date(2026, 6, 1))
    cert = session.exec(select(Certificate).where(Certificate.product_id == product.id)).one()
    cert.round_id = ids["published"]
    session.add(cert)
    session.commit()
    on_day(client, TODAY)
    return ids


def _stages(client: TestClient, path: str = "/nop-ho-so") -> list[tuple[str, str]]:
    """(link, stage words) of each call on the list, in order."""
    page = html(client.get(path))
    rows = []
    for item in page.select("ul.calls > li"):
        link, stage = item.select_one("h2 a"), item.select_one(".call-stage")
        assert link is not None and stage is not None
        rows.append((str(link["href"]), stage.get_text(strip=True)))
    return rows


def test_list_orders_calls_by_stage_in_words(client: TestClient, calls: dict[str, int]) -> None:
    assert _stages(client) == [
        (f"/nop-ho-so/{calls['receiving']}", "Đang nhận hồ sơ"),
        (f"/nop-ho-so/{calls['upcoming']}", "Sắp mở nhận hồ sơ"),
        (f"/nop-ho-so/{calls['scoring']}", "Đang chấm"),
        (f"/nop-ho-so/{calls['published']}", "Đã công bố"),
    ]
    page = html(client.get("/nop-ho-so"))
    first = page.select_one("ul.calls > li")
    assert first is not None
    words = " ".join(first.get_text(" ").split())
    assert "Cấp khu vực" in words and "Phía Nam" in words and "từ 01/12/2026 đến hết 31/12/2026" in words


def test_stage_follows_the_vietnam_day(client: TestClient, calls: dict[str, int]) -> None:
    on_day(client, date(2027, 1, 1))
    stages = dict(_stages(client))
    assert stages[f"/nop-ho-so/{calls['receiving']}"] == "Đang chấm"
    on_day(client, date(2027, 1, 5))
    assert dict(_stages(client))[f"/nop-ho-so/{calls['upcoming']}"] == "Đang nhận hồ sơ"


def test_published_results_leave_the_list_after_a_year(client: TestClient, calls: dict[str, int]) -> None:
    on_day(client, date(2027, 5, 1))
    assert f"/nop-ho-so/{calls['published']}" not in dict(_stages(client))
    assert client.get(f"/nop-ho-so/{calls['published']}").status_code == 200


def test_one_call_shows_documents_criteria_pass_mark_and_notes(client: TestClient,
                                                              calls: dict[str, int]) -> None:
    page = html(client.get(f"/nop-ho-so/{calls['receiving']}"))
    stage = page.select_one(".call-stage")
    assert stage is not None and stage.get_text(strip=True) == "Đang nhận hồ sơ"
    items = page.select("section[aria-labelledby=documents] li")
    documents = [" ".join(li.get_text().split()) for li in items]
    assert documents[-1] == "Giấy chứng nhận sản phẩm công nghiệp nông thôn tiêu biểu cấp tỉnh còn hiệu lực"
    assert "Giấy chứng nhận đăng ký nhãn hiệu (không bắt buộc)" in documents
    rows = [[td.get_text(strip=True) for td in tr.select("td")] for tr in page.select("tbody tr")]
    assert rows == [["Nhóm tiêu chí về thị trường", "40"],
                    ["Nhóm tiêu chí về kinh tế – kỹ thuật – xã hội – môi trường", "40"],
                    ["Nhóm tiêu chí về văn hóa và thẩm mỹ", "10"], ["Nhóm tiêu chí khác", "10"]]
    text = " ".join(page.get_text(" ").split())
    assert "Điểm đạt: 70,5" in text and "Dự kiến công bố kết quả 01/03/2027" in text
    assert "Nộp tại Cục Công Thương địa phương." in text
    assert page.find("a", href=f"/dot-binh-chon/{calls['receiving']}") is None


def test_published_call_links_to_the_results(client: TestClient, calls: dict[str, int]) -> None:
    page = html(client.get(f"/nop-ho-so/{calls['published']}"))
    stage = page.select_one(".call-stage")
    assert stage is not None and stage.get_text(strip=True) == "Đã công bố"
    assert page.find("a", href=f"/dot-binh-chon/{calls['published']}") is not None
    assert "1 sản phẩm được công nhận" in " ".join(page.get_text(" ").split())


def test_withdrawn_round_and_unknown_round_are_404(client: TestClient, calls: dict[str, int]) -> None:
    assert client.get(f"/nop-ho-so/{calls['withdrawn']}").status_code == 404
    assert client.get("/nop-ho-so/999999").status_code == 404
    assert f"/nop-ho-so/{calls['withdrawn']}" not in dict(_stages(client))


def test_list_without_calls_says_so(client: TestClient) -> None:
    page = html(client.get("/nop-ho-so"))
    assert "Hiện chưa có đợt bình chọn nào nhận hồ sơ." in page.get_text()


def test_english_pages_under_en(client: TestClient, calls: dict[str, int]) -> None:
    """lang="en", English links and canonical URL; the office's lists stay as entered, marked Vietnamese."""
    for path in ("/nop-ho-so", f"/nop-ho-so/{calls['receiving']}"):
        page = html(client.get(f"/en{path}"))
        assert page.html is not None and page.html["lang"] == "en", path
        canonical = page.select_one("link[rel=canonical]")
        assert canonical is not None and str(canonical["href"]).endswith(f"/en{path}"), path
        links = [str(a["href"]) for a in page.select("main a[href]")]
        assert links and all(href.startswith("/en/") for href in links), (path, links)
    assert [link for link, _ in _stages(client, "/en/nop-ho-so")][0] == f"/en/nop-ho-so/{calls['receiving']}"
    detail = html(client.get(f"/en/nop-ho-so/{calls['receiving']}"))
    entered = detail.select("section[aria-labelledby=documents] ul, tbody td:first-child")
    assert entered and all(tag.get("lang") == "vi" for tag in entered)
    assert client.get(f"/en/nop-ho-so/{calls['withdrawn']}").status_code == 404


def test_footer_links_the_calls_and_sitemap_lists_them(client: TestClient, calls: dict[str, int]) -> None:
    page = html(client.get("/"))
    assert page.select_one("footer a[href='/nop-ho-so']") is not None
    sitemap = client.get("/sitemap.xml").text
    assert "/nop-ho-so</loc>" in sitemap and f"/nop-ho-so/{calls['receiving']}</loc>" in sitemap
    assert f"/nop-ho-so/{calls['withdrawn']}</loc>" not in sitemap
