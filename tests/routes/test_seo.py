"""Every public page has a title, a description and a canonical URL; robots, sitemap and JSON-LD."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import xmlschema
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import ProductImage, SelectionRound
from app.services.catalog import seo
from app.web.json_in_html import script_json
from tests.factories import make_producer, make_product

DATA = Path(__file__).parent.parent / "data"
BASE = "http://127.0.0.1:8000"
XHTML = "http://www.w3.org/1999/xhtml"


def sitemap_schema() -> xmlschema.XMLSchema:
    """The sitemaps.org schema with the xhtml:link schema its strict wildcard checks alternates against."""
    return xmlschema.XMLSchema(DATA / "sitemap.xsd", locations=[(XHTML, str(DATA / "xhtml-link.xsd"))])


def _soup(client: TestClient, path: str) -> BeautifulSoup:
    response = client.get(path)
    assert response.status_code == 200, path
    return BeautifulSoup(response.text, "html.parser")


def _meta(soup: BeautifulSoup, **attrs: str) -> str:
    tag = soup.find("meta", attrs=attrs)
    assert tag is not None, attrs
    return str(tag["content"])


def _seed(session: Session) -> dict[str, str]:
    producer = make_producer(session, name="HTX Gốm Bát Tràng </script>", province_slug="ha-noi",
                             address="Xã Bát Tràng, Hà Nội", phone="0900 000 000 (ví dụ)",
                             email="lien-he@vi-du.example", website="https://vi-du.example")
    product = make_product(session, name="Bình gốm men lam", producer=producer, description="Gốm men lam.")
    session.add(ProductImage(product_id=product.id, content_hash="ab" * 32, width=1600, height=1200))
    rnd = SelectionRound(level="tinh", year=2023, province_id=product.province_id, decision_number="12/QĐ")
    session.add(rnd)
    session.commit()
    return {"product": product.slug, "producer": producer.slug, "round": str(rnd.id)}


def test_every_public_page_has_title_description_and_canonical(client: TestClient, session: Session) -> None:
    """Search engines and link previews need all three on every page people land on."""
    ids = _seed(session)
    paths = ["/", "/san-pham", "/tra-cuu", f"/san-pham/{ids['product']}", f"/co-so/{ids['producer']}",
             "/tinh/ha-noi", "/tinh/bac-giang", f"/dot-binh-chon/{ids['round']}", "/ban-do"]
    for path in paths:
        soup = _soup(client, path)
        assert soup.title is not None and soup.title.get_text(strip=True), path
        assert _meta(soup, name="description"), path
        canonical = soup.find("link", rel="canonical")
        assert canonical is not None, path
        assert str(canonical["href"]) == f"{BASE}{path}", path


def test_canonical_drops_tracking_and_keeps_sorted_catalog_filters(client: TestClient) -> None:
    """utm_* and sort go; the catalog's filters stay, in a stable order."""
    soup = _soup(client, "/san-pham?utm_source=zalo&province=ha-noi&group=co_khi&sort=newest&fbclid=x")
    link = soup.find("link", rel="canonical")
    assert link is not None and link["href"] == f"{BASE}/san-pham?group=co_khi&province=ha-noi"
    soup = _soup(client, "/tra-cuu?utm_campaign=x")
    link = soup.find("link", rel="canonical")
    assert link is not None and link["href"] == f"{BASE}/tra-cuu"


def test_robots_txt(client: TestClient) -> None:
    """Allow all; keep crawlers out of the office workspace and the API; point at the sitemap."""
    lines = client.get("/robots.txt").text.splitlines()
    assert "Disallow: /quan-ly" in lines and "Disallow: /api" in lines
    assert f"Sitemap: {BASE}/sitemap.xml" in lines


def test_sitemap_validates_and_lists_public_urls(client: TestClient, session: Session) -> None:
    """Valid sitemaps.org 0.9 XML (xhtml:link checked too) listing products, producers, rounds, provinces."""
    ids = _seed(session)
    response = client.get("/sitemap.xml")
    assert response.headers["content-type"].startswith("application/xml")
    schema = sitemap_schema()
    schema.validate(response.text)
    locs = {entry["loc"]: entry for entry in schema.to_dict(response.text)["url"]}
    for path in (f"/san-pham/{ids['product']}", f"/co-so/{ids['producer']}", f"/dot-binh-chon/{ids['round']}",
                 "/tinh/ha-noi", "/", "/san-pham", "/tra-cuu", "/ban-do", "/du-lieu-mo"):
        assert f"{BASE}{path}" in locs and f"{BASE}/en{path}" in locs, path
    assert "lastmod" in locs[f"{BASE}/san-pham/{ids['product']}"]
    assert "lastmod" in locs[f"{BASE}/en/san-pham/{ids['product']}"]


def test_sitemap_names_every_language_version(client: TestClient, session: Session) -> None:
    """Google's hreflang form: each <url>, Vietnamese or English, lists vi, en and x-default (Vietnamese)."""
    ids = _seed(session)
    entries = sitemap_schema().to_dict(client.get("/sitemap.xml").text)["url"]
    assert len(entries) % 2 == 0
    for entry in entries:
        path = entry["loc"].removeprefix(BASE).removeprefix("/en")
        alternates = [(link["@hreflang"], link["@href"]) for link in entry["xhtml:link"]]
        vi, en = f"{BASE}{path}", f"{BASE}/en{path}"
        assert alternates == [("vi", vi), ("en", en), ("x-default", vi)]
        assert entry["loc"] in {href for _, href in alternates}
    product = f"/san-pham/{ids['product']}"
    by_loc = {entry["loc"]: entry for entry in entries}
    assert by_loc[f"{BASE}{product}"]["xhtml:link"] == by_loc[f"{BASE}/en{product}"]["xhtml:link"]


def test_sitemap_schemas_are_strict_about_alternates() -> None:
    """The vendored schemas catch a malformed alternate (so the validation above means something)."""
    head = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="{XHTML}">'
    link = f'<xhtml:link rel="alternate" hreflang="en" href="{BASE}/en/"/>'
    good = f"{head}<url><loc>{BASE}/</loc>{link}</url></urlset>"
    schema = sitemap_schema()
    schema.validate(good)
    bad = [good.replace('hreflang="en"', 'hreflang="en us"'), good.replace('rel="alternate"', 'rel="next"'),
           good.replace("xhtml:link", "xhtml:a"), good.replace(f'href="{BASE}/en/"', 'href="/en/"'),
           good.replace("<loc>", "<changefreq>often</changefreq><loc>")]
    for document in bad:
        assert not schema.is_valid(document), document


def test_sitemap_index_past_the_limit(client: TestClient, session: Session,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the per-file limit the sitemap becomes an index of numbered, valid files."""
    _seed(session)
    monkeypatch.setattr(seo, "SITEMAP_MAX_URLS", 20)
    index = client.get("/sitemap.xml").text
    xmlschema.XMLSchema(DATA / "siteindex.xsd").validate(index)
    files = [s["loc"] for s in xmlschema.XMLSchema(DATA / "siteindex.xsd").to_dict(index)["sitemap"]]
    assert len(files) > 1
    for loc in files:
        sitemap_schema().validate(client.get(loc.removeprefix(BASE)).text)
    assert client.get(f"/sitemap-{len(files) + 1}.xml").status_code == 404


def _json_ld(soup: BeautifulSoup) -> dict[str, Any]:
    scripts = soup.find_all("script", type="application/ld+json")
    assert len(scripts) == 1
    data: dict[str, Any] = json.loads(scripts[0].string)
    return data


def test_product_json_ld_and_open_graph(client: TestClient, session: Session) -> None:
    """Product with brand, manufacturer, award and image; BreadcrumbList; OpenGraph product tags."""
    ids = _seed(session)
    response = client.get(f"/san-pham/{ids['product']}")
    assert "</script>\",\"" not in response.text  # the producer's `</script>` is escaped inside the block
    soup = BeautifulSoup(response.text, "html.parser")
    graph = {node["@type"]: node for node in _json_ld(soup)["@graph"]}
    product = graph["Product"]
    assert product["name"] == "Bình gốm men lam" and product["description"] == "Gốm men lam."
    assert product["image"] == f"{BASE}/media/ab/{'ab' * 32}/1280.jpg"
    org = product["manufacturer"]
    assert org["@type"] == "Organization" and org["name"] == "HTX Gốm Bát Tràng </script>"
    assert org["telephone"] and org["email"] == "lien-he@vi-du.example" and org["address"]["streetAddress"]
    assert product["brand"]["url"] == f"{BASE}/co-so/{ids['producer']}"
    assert product["award"] == ["Sản phẩm công nghiệp nông thôn tiêu biểu cấp tỉnh năm 2023"]
    crumbs = graph["BreadcrumbList"]["itemListElement"]
    assert [c["position"] for c in crumbs] == [1, 2, 3, 4]
    assert _meta(soup, property="og:type") == "product"
    assert _meta(soup, property="og:image") == product["image"]
    assert _meta(soup, property="og:url") == f"{BASE}/san-pham/{ids['product']}"
    assert _meta(soup, name="twitter:card") == "summary_large_image"


def test_json_ld_expands_offline(client: TestClient, session: Session) -> None:
    """JSON-LD expansion (pyld) with a local loader: schema.org terms resolve, nothing is fetched."""
    jsonld = pytest.importorskip("pyld.jsonld")
    ids = _seed(session)
    data = _json_ld(_soup(client, f"/san-pham/{ids['product']}"))

    def local_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
        assert url.rstrip("/") in {"https://schema.org", "http://schema.org"}, url
        return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
                "document": {"@context": {"@vocab": "https://schema.org/"}}}

    expanded = jsonld.expand(data, {"documentLoader": local_loader})
    types = {t for node in expanded for t in node.get("@type", [])}
    assert "https://schema.org/Product" in types and "https://schema.org/BreadcrumbList" in types


JSON_IN_HTML_PAYLOADS = ("a</script><script>alert(1)</script>", "<!--<script>", "x & y > z",
                         "l\u2028m\u2029n", "it's")


@pytest.mark.parametrize("payload", JSON_IN_HTML_PAYLOADS)
def test_json_in_html_escapes_markup(payload: str) -> None:
    """The one encoder of JSON embedded in HTML: no markup character, the same data back."""
    text = str(script_json({"name": payload}))
    assert not set(text) & set("<>&'\u2028\u2029") and json.loads(text) == {"name": payload}


@pytest.mark.parametrize("description", ["<script>alert(1)</script>", "<!--<script>", "<!-- a & b -->"])
def test_json_ld_block_has_no_markup_from_data(client: TestClient, session: Session,
                                               description: str) -> None:
    """A description with markup: the page's data block holds none of it raw and parses to the same text;
    `<!--<script>` cannot make the parser swallow the rest of the page (the footer is still there)."""
    product = make_product(session, name="Nón lá Huế", description=description,
                           producer=make_producer(session, name="HTX <!--<script> nón"))
    session.commit()
    page = client.get(f"/san-pham/{product.slug}").text
    block = page.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert not set(block) & set("<>&")
    graph = {node["@type"]: node for node in json.loads(block)["@graph"]}
    assert graph["Product"]["description"] == description
    assert graph["Product"]["manufacturer"]["name"] == "HTX <!--<script> nón"
    assert page.count("</script>") == page.count("<script")  # every block closed where it should be
    assert BeautifulSoup(page, "html.parser").find("footer") is not None
