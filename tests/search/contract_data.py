"""The contract data set: 30 hand-made product documents and the queries every engine must answer alike.

Dates are chosen around the 31/12 boundary: `my-chu` is valid through 31/12/2025, `mat-ong`
is revoked on 31/12/2025, `ruou-tao` expires on 31/12/2025 and is revoked only in 2026.
Query words avoid near-misses of other words, so typo tolerance cannot change an answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from app.domain.provinces import province_by_slug
from app.domain.standing import from_key, summarise
from search.documents import ProductDocument, document_fingerprint
from search.engine import SearchQuery, SortOrder, StatusFilter

TODAY = date(2025, 12, 31)


class Cert(NamedTuple):
    """A certificate's dates, as the validity summary reads them."""

    level: str
    issued_on: date
    valid_until: date
    revoked_on: date | None = None


def _certificates(fields: dict[str, Any]) -> list[Cert]:
    """The certificates the shorthand fields describe: given as `certs`, or one per level in
    `levels`, all issued on `latest_issued`, valid until `valid_until`, revoked on `revoked_on`."""
    certs = fields.pop("certs", None)
    until, revoked = date.fromisoformat(fields.pop("valid_until")), fields.pop("revoked_on")
    fields.pop("level")
    if certs is None:
        certs = [Cert(level, from_key(fields["latest_issued"]), until, from_key(revoked) if revoked else None)
                 for level in fields["levels"]]
    return list(certs)


def make_doc(doc_id: int, name: str, **overrides: Any) -> ProductDocument:
    """A document with defaults (a valid 2023 provincial certificate in Hà Nội) and its fingerprint.

    Validity comes from `certs` ([Cert]) or from the shorthand `levels`, `valid_until` and
    `revoked_on` (yyyymmdd), as app.domain.standing summarises it.
    """
    fields: dict[str, Any] = {
        "id": doc_id, "slug": f"san-pham-{doc_id}", "name": name, "description": "",
        "group": "che_bien", "level": "tinh", "levels": ["tinh"], "years": [2023],
        "province": "ha-noi", "province_name": "Hà Nội", "certified_provinces": ["ha-noi"],
        "producer_name": f"Cơ sở số {doc_id}", "producer_slug": f"co-so-{doc_id}",
        "address": "",
        "certificate_numbers": [], "certificate_codes": [f"CODE{doc_id:04d}"], "decision_numbers": [],
        "valid_until": "2026-12-31", "revoked_on": 0, "latest_issued": 20231215, "image": "",
    }
    fields.update(overrides)
    fields["validity"] = summarise(_certificates(fields))
    fields["fingerprint"] = document_fingerprint(fields)
    return fields  # type: ignore[return-value]


def _doc(doc_id: int, slug: str, name: str, province: str, certified: str | None = None,
         **overrides: Any) -> ProductDocument:
    """A contract document: slug, name, current province and province at certification."""
    info = province_by_slug(province)
    assert info is not None and info.is_current, province
    return make_doc(doc_id, name, slug=slug, province=province, province_name=info.name,
                    certified_provinces=[certified or province], **overrides)


def _years(*years: int) -> dict[str, Any]:
    """Certificate years and the newest issue date (1 June of the last year unless told)."""
    return {"years": list(years), "latest_issued": years[-1] * 10000 + 601}


CRAFT, FOOD, MECH, OTHER = "thu_cong_my_nghe", "che_bien", "co_khi", "khac"
DOCUMENTS: list[ProductDocument] = [
    _doc(1, "duong-phen", "Đường phèn Quảng Ngãi", "quang-ngai", description="Kết tinh từ mía",
         valid_until="2023-12-31", **_years(2020)),
    _doc(2, "duong-xi", "Dương xỉ cảnh", "ha-noi", group=OTHER, level="xa", levels=["xa"],
         valid_until="2028-12-31", **_years(2025)),
    _doc(3, "gom-bat-trang", "Gốm Bát Tràng men rạn", "ha-noi", group=CRAFT, level="quoc_gia",
         address="Xóm 3, xã Bát Tràng, huyện Gia Lâm",
         levels=["quoc_gia", "tinh"], years=[2021, 2023], latest_issued=20231215),
    _doc(4, "bat-go", "Bát gỗ tiện tay", "ha-noi", group=CRAFT, valid_until="2027-12-31", **_years(2024)),
    _doc(5, "my-chu", "Mỳ Chũ Lục Ngạn", "bac-ninh", "bac-giang", valid_until="2025-12-31",
         address="Thị trấn Chũ, huyện Lục Ngạn", **_years(2022)),
    _doc(6, "vai-thieu", "Vải thiều sấy khô", "bac-ninh", "bac-giang", latest_issued=20230905,
         address="Thôn Kép, xã Hồng Giang, huyện Lục Ngạn"),
    _doc(7, "tranh-dong-ho", "Tranh Đông Hồ", "bac-ninh", group=CRAFT, level="khu_vuc",
         levels=["khu_vuc", "tinh"], years=[2022, 2024], latest_issued=20240801,
         valid_until="2027-12-31"),
    _doc(8, "che-shan", "Chè Shan tuyết cổ thụ", "tuyen-quang", "ha-giang",
         address="Thôn Bản Phùng, xã Cao Bồ, huyện Vị Xuyên"),
    _doc(9, "tra-sen", "Trà sen Tây Hồ", "ha-noi", valid_until="2027-12-31",
         **_years(2024)),
    _doc(10, "non-la", "Nón lá Huế", "hue", "thua-thien-hue", group=CRAFT, valid_until="2024-12-31",
         **_years(2021)),
    _doc(11, "non-bai-tho", "Nón bài thơ", "hue", group=CRAFT, level="xa", levels=["xa"],
         valid_until="2028-12-31", latest_issued=20250720, years=[2025]),
    _doc(12, "que-tra-my", "Quế Trà My", "da-nang", "quang-nam",
         address="Thôn 2, xã Trà Mai, huyện Nam Trà My"),
    _doc(13, "nuoc-mam-nam-o", "Nước mắm Nam Ô", "da-nang", valid_until="2027-12-31", **_years(2024)),
    _doc(14, "chieu-coi", "Chiếu cói Kim Sơn", "ninh-binh", group=CRAFT, producer_name="HTX Cói Kim Sơn",
         certificate_numbers=["123/QĐ-UBND"], decision_numbers=["45/QĐ-SCT"], certificate_codes=["KS7H2Q"],
         latest_issued=20230310),
    _doc(15, "may-tuot-lua", "Máy tuốt lúa mini", "ninh-binh", "nam-dinh", group=MECH,
         valid_until="2025-12-31", **_years(2022)),
    _doc(16, "dao-da-sy", "Dao Đa Sỹ", "ha-noi", group=MECH, revoked_on=20250615,
         address="Tổ 5, phường Kiến Hưng, quận Hà Đông",
         latest_issued=20230420),
    _doc(17, "lua-van-phuc", "Lụa Vạn Phúc", "ha-noi", group=CRAFT, level="quoc_gia",
         address="Số 73 phố Vạn Phúc, phường Vạn Phúc, quận Hà Đông",
         levels=["quoc_gia", "tinh"], years=[2023, 2025], latest_issued=20250930,
         valid_until="2028-12-31"),
    _doc(18, "banh-da-ke", "Bánh đa Kế", "bac-ninh", "bac-giang", valid_until="2027-12-31",
         latest_issued=20240101, years=[2024]),
    _doc(19, "am-tich", "Ấm tích giữ nhiệt", "ha-noi", group=OTHER, description="Làm từ gốm sứ",
         latest_issued=20230102),
    _doc(20, "den-long", "Đèn lồng Hội An", "da-nang", "quang-nam", group=CRAFT,
         address="Số 48 đường Trần Phú, phường Minh An, TP Hội An",
         valid_until="2027-12-31", **_years(2024)),
    _doc(21, "keo-lac", "Kẹo lạc", "hung-yen", "thai-binh", latest_issued=20230707,
         address="Số 8 phố Trà Lý, phường Lê Hồng Phong, TP Thái Bình"),
    _doc(22, "ruou-tao", "Rượu táo mèo", "lao-cai", "yen-bai", valid_until="2025-12-31",
         address="Bản Làng Sang, xã Chế Cu Nha, huyện Mù Cang Chải",
         revoked_on=20260601, **_years(2022)),
    _doc(23, "may-cat-co", "Máy cắt cỏ cầm tay", "thanh-hoa", group=MECH, level="xa", levels=["xa"],
         valid_until="2028-12-31", latest_issued=20250815, years=[2025]),
    _doc(24, "hop-son-mai", "Hộp sơn mài", "ho-chi-minh", "binh-duong", group=CRAFT,
         latest_issued=20230515),
    _doc(25, "mat-ong", "Mật ong bạc hà", "tuyen-quang", "ha-giang",
         address="Thị trấn Đồng Văn, huyện Đồng Văn",
         revoked_on=20251231, **_years(2022)),
    _doc(26, "choi-dot", "Chổi đót", "thanh-hoa", group=OTHER, valid_until="2024-12-31", **_years(2021)),
    _doc(27, "tinh-dau-que", "Tinh dầu quế", "lao-cai", "yen-bai", group=OTHER, latest_issued=20231120),
    _doc(28, "manh-tre", "Mành tre", "hai-phong", group=CRAFT, level="khu_vuc", levels=["khu_vuc", "tinh"],
         years=[2023, 2024], latest_issued=20241105, valid_until="2027-12-31"),
    _doc(29, "nuoc-mam-phu-quoc", "Nước mắm Phú Quốc", "an-giang", "kien-giang", latest_issued=20230601),
    _doc(30, "banh-gai", "Bánh gai Ninh Giang", "hai-phong", "hai-duong", latest_issued=20230808),
]


@dataclass(frozen=True)
class Case:
    """One query: the expected hits (as a set), those that must lead in order, total and facets."""

    name: str
    query: SearchQuery
    slugs: frozenset[str]
    leading: tuple[str, ...] = ()
    total: int | None = None  # defaults to len(slugs): the page holds every hit
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


def case(name: str, slugs: str | list[str], *, leading: str = "", total: int | None = None,
         facets: dict[str, dict[str, int]] | None = None, **query: Any) -> Case:
    """A case from space-separated slugs (or a list), query fields as keywords, today = TODAY."""
    query.setdefault("today", TODAY)
    hits = slugs.split() if isinstance(slugs, str) else slugs
    return Case(name, SearchQuery(**query), frozenset(hits), tuple(leading.split()), total, facets or {})


BAC_NINH_NOW = {"an-giang": 1, "bac-ninh": 4, "da-nang": 3, "ha-noi": 7, "hai-phong": 2, "ho-chi-minh": 1,
                "hue": 2, "hung-yen": 1, "lao-cai": 2, "ninh-binh": 2, "quang-ngai": 1, "thanh-hoa": 2,
                "tuyen-quang": 2}
HOSTILE = '" OR province = "x'
CASES: list[Case] = [
    case("unaccented", "duong-phen", text="duong phen"),
    case("unaccented-upper", "nuoc-mam-nam-o nuoc-mam-phu-quoc", text="NUOC MAM"),
    case("d-folds-both-ways", "duong-phen duong-xi banh-gai hop-son-mai", text="duong"),
    case("exact-diacritic-first", "duong-phen duong-xi banh-gai hop-son-mai", leading="duong-phen duong-xi",
         text="đường"),
    case("exact-diacritic-first-other-way", "duong-phen duong-xi banh-gai hop-son-mai", leading="duong-xi",
         text="dương"),
    case("name-before-description", "gom-bat-trang am-tich", leading="gom-bat-trang am-tich", text="gốm"),
    case("last-word-prefix", "gom-bat-trang", text="gốm bát tr"),
    case("synonym-my-mi", "my-chu", text="mì chũ"),
    case("synonym-tra-che", "che-shan", text="trà shan"),
    case("synonym-che-tra", "tra-sen", text="chè sen"),
    # English words find the Vietnamese products (search/glossary.py): phrases, plurals, any case,
    # mixed with Vietnamese words; the English words still match as typed.
    case("english-phrase", "nuoc-mam-nam-o nuoc-mam-phu-quoc", text="fish sauce"),
    case("english-plural-upper", "non-la non-bai-tho", text="CONICAL HATS"),
    case("english-and-vietnamese", "nuoc-mam-phu-quoc", text="fish sauce phú quốc"),
    case("english-and-unaccented", "lua-van-phuc", text="silk van phuc"),
    case("english-word", "mat-ong", text="Honey"),
    case("english-two-entries", "hop-son-mai", text="lacquer boxes"),
    case("english-plural", "den-long", text="lanterns"),
    case("english-several-words", "que-tra-my tinh-dau-que", text="cinnamon"),
    case("english-longest-phrase", "tinh-dau-que", text="essential oil"),
    case("english-machine", "may-tuot-lua", text="rice thresher"),
    case("english-with-filter", "tra-sen", text="tea", provinces=("ha-noi",)),
    case("certificate-number", "chieu-coi", text="123/QĐ-UBND"),
    case("certificate-number-compact", "chieu-coi", text="123qdubnd"),
    case("verification-code", "chieu-coi", text="KS7H2Q"),
    case("producer", "chieu-coi", text="htx coi kim son"),
    case("province-name", "non-la non-bai-tho", text="huế"),
    case("former-province-alone", "my-chu vai-thieu banh-da-ke", provinces=("bac-giang",), facets={
        "province": BAC_NINH_NOW, "group": {"che_bien": 3}, "year": {"2022": 1, "2023": 1, "2024": 1}}),
    case("current-province-includes-former", "my-chu vai-thieu banh-da-ke tranh-dong-ho",
         provinces=("bac-ninh",),
         facets={"group": {"che_bien": 3, "thu_cong_my_nghe": 1}, "level": {"khu_vuc": 1, "tinh": 4}}),
    case("disjunctive-facets", "my-chu vai-thieu banh-da-ke", provinces=("bac-ninh",), groups=("che_bien",),
         facets={"province": {"an-giang": 1, "bac-ninh": 3, "da-nang": 2, "ha-noi": 1, "hai-phong": 1,
                              "hung-yen": 1, "lao-cai": 1, "quang-ngai": 1, "tuyen-quang": 2},
                 "group": {"che_bien": 3, "thu_cong_my_nghe": 1}, "level": {"tinh": 3},
                 "status": {"valid": 3}}),
    case("province-level-years", "tranh-dong-ho vai-thieu my-chu", provinces=("bac-ninh", "hue"),
         levels=("tinh",), years=(2022, 2023),
         facets={"level": {"khu_vuc": 1, "tinh": 3}, "year": {"2021": 1, "2022": 2, "2023": 1, "2024": 2}}),
    case("groups-by-name", "am-tich choi-dot dao-da-sy duong-xi may-cat-co may-tuot-lua tinh-dau-que",
         leading="am-tich choi-dot dao-da-sy duong-xi may-cat-co may-tuot-lua tinh-dau-que",
         groups=("co_khi", "khac"), sort=SortOrder.name),
    case("commune-level", "duong-xi may-cat-co non-bai-tho", levels=("xa",)),
    case("year-newest", "manh-tre tranh-dong-ho den-long nuoc-mam-nam-o tra-sen bat-go banh-da-ke",
         leading="manh-tre tranh-dong-ho den-long nuoc-mam-nam-o tra-sen bat-go banh-da-ke",
         years=(2024,), sort=SortOrder.newest),
    case("revoked-on-31-12", "dao-da-sy mat-ong", status=StatusFilter.revoked,
         facets={"status": {"valid": 25, "expired": 3, "revoked": 2}}),
    case("revoked-on-30-12", "dao-da-sy", status=StatusFilter.revoked, today=date(2025, 12, 30),
         facets={"status": {"valid": 26, "expired": 3, "revoked": 1}}),
    case("expired-on-1-1", "ruou-tao may-tuot-lua my-chu choi-dot non-la duong-phen",
         status=StatusFilter.expired,
         today=date(2026, 1, 1), facets={"status": {"valid": 22, "expired": 6, "revoked": 2}}),
    case("valid-in-bac-ninh-on-1-1", "tranh-dong-ho banh-da-ke vai-thieu", status=StatusFilter.valid,
         provinces=("bac-ninh",), today=date(2026, 1, 1), facets={"status": {"valid": 3, "expired": 1}}),
    case("text-and-status", "non-bai-tho", text="nón", status=StatusFilter.valid,
         facets={"status": {"valid": 1, "expired": 1}}),
    case("facets-follow-text", "non-la non-bai-tho", text="nón",
         facets={"province": {"hue": 2}, "group": {"thu_cong_my_nghe": 2}, "level": {"tinh": 1, "xa": 1},
                 "year": {"2021": 1, "2025": 1}, "status": {"expired": 1, "valid": 1}}),
    case("address-only-folded", "vai-thieu", text="hong giang",
         facets={"province": {"bac-ninh": 1}, "group": {"che_bien": 1}, "status": {"valid": 1}}),
    case("address-only-diacritics", "vai-thieu", text="Hồng Giang"),
    case("address-commune", "che-shan", text="cao bo"),
    case("address-district-three-words", "ruou-tao", text="mu cang chai"),
    case("name-before-address", "my-chu vai-thieu", leading="my-chu vai-thieu", text="luc ngan",
         facets={"province": {"bac-ninh": 2}, "year": {"2022": 1, "2023": 1},
                 "status": {"valid": 2}}),
    case("address-number-not-indexed", [], text="48"),
    case("address-house-number-not-indexed", [], text="73"),
    case("address-unit-word-not-indexed", [], text="xã"),
    case("name-page-1", "am-tich banh-da-ke banh-gai bat-go che-shan",
         leading="am-tich banh-da-ke banh-gai bat-go che-shan", total=30, sort=SortOrder.name, per_page=5),
    case("name-page-2", "chieu-coi choi-dot dao-da-sy den-long duong-phen",
         leading="chieu-coi choi-dot dao-da-sy den-long duong-phen", total=30, sort=SortOrder.name,
         per_page=5, page=2),
    case("name-last-page", "tranh-dong-ho vai-thieu", leading="tranh-dong-ho vai-thieu", total=30,
         sort=SortOrder.name, per_page=7, page=5),
    case("past-the-end", [], total=30, sort=SortOrder.name, per_page=10, page=9),
    case("newest", "lua-van-phuc may-cat-co non-bai-tho duong-xi manh-tre",
         leading="lua-van-phuc may-cat-co non-bai-tho duong-xi manh-tre", total=30, sort=SortOrder.newest,
         per_page=5),
    case("no-text-relevance-is-newest", "lua-van-phuc may-cat-co non-bai-tho",
         leading="lua-van-phuc may-cat-co non-bai-tho", total=30, per_page=3),
    case("hostile-quote", "lua-van-phuc may-cat-co non-bai-tho", total=30, text='"', per_page=3),
    case("hostile-near", [], text="NEAR("),
    case("hostile-or", [], text=HOSTILE),
    case("hostile-long", [], text="x" * 10_000),
    case("hostile-province-value", [], provinces=(HOSTILE,)),
    case("hostile-group-value", [], groups=('che_bien" OR group = "khac', "a\\")),
]


# The standing set: several certificates per product at different levels and states, asked on
# STANDING_DAY (app/domain/standing.py). Kept in an index of its own so the cases above keep
# their totals.
STANDING_DAY = date(2026, 12, 6)


def _c(level: str, issued: str, until: str, revoked: str | None = None) -> Cert:
    """A certificate from ISO dates."""
    return Cert(level, date.fromisoformat(issued), date.fromisoformat(until),
                date.fromisoformat(revoked) if revoked else None)


def _standing_doc(doc_id: int, slug: str, name: str, certs: list[Cert]) -> ProductDocument:
    """A document of the standing set, its levels and years from `certs`."""
    return make_doc(doc_id, name, slug=slug, certs=certs, levels=sorted({c.level for c in certs}),
                    years=sorted({c.issued_on.year for c in certs}),
                    latest_issued=max(int(c.issued_on.strftime("%Y%m%d")) for c in certs))


STANDING_DOCUMENTS: list[ProductDocument] = [
    _standing_doc(101, "che-bup-phong-dien", "Chè búp Phong Điền", [
        _c("tinh", "2023-06-01", "2026-12-31"), _c("khu_vuc", "2023-09-01", "2026-12-31", "2025-03-01"),
        _c("quoc_gia", "2023-11-01", "2026-12-31", "2025-04-01")]),
    _standing_doc(102, "bot-san-day", "Bột sắn dây", [
        _c("khu_vuc", "2019-09-01", "2022-12-31"), _c("tinh", "2024-05-01", "2027-12-31")]),
    _standing_doc(103, "gom-chu-dau", "Gốm Chu Đậu", [
        _c("quoc_gia", "2024-11-01", "2027-12-31"), _c("tinh", "2018-05-01", "2021-12-31")]),
    _standing_doc(104, "mam-tom", "Mắm tôm", [
        _c("tinh", "2016-05-01", "2019-12-31"), _c("tinh", "2022-08-01", "2025-12-31"),
        _c("quoc_gia", "2026-12-20", "2029-12-31")]),
    _standing_doc(105, "non-tho", "Nón thơ", [
        _c("huyen", "2024-03-01", "2027-12-31"), _c("xa", "2025-09-01", "2028-12-31")]),
    _standing_doc(106, "ruou-ngo", "Rượu ngô", [_c("tinh", "2024-04-01", "2027-12-31", "2026-01-10")]),
    _standing_doc(107, "tra-hoa-vang", "Trà hoa vàng", [
        _c("tinh", "2023-05-01", "2026-12-31"), _c("tinh", "2024-08-01", "2027-12-31", "2025-10-01")]),
]


def standing_case(name: str, slugs: str, *, facets: dict[str, dict[str, int]] | None = None,
                  **query: Any) -> Case:
    """A case on the standing set, asked on STANDING_DAY unless told."""
    query.setdefault("today", STANDING_DAY)
    return case(name, slugs, facets=facets, **query)


VALID, EXPIRED, REVOKED = StatusFilter.valid, StatusFilter.expired, StatusFilter.revoked
STANDING_CASES: list[Case] = [
    standing_case("national-valid-skips-revoked-and-future", "gom-chu-dau", levels=("quoc_gia",),
                  status=VALID),
    standing_case("national-valid-once-the-future-one-begins", "gom-chu-dau mam-tom", levels=("quoc_gia",),
                  status=VALID, today=date(2026, 12, 20)),
    standing_case("regional-valid-none", "", levels=("khu_vuc",), status=VALID,
                  facets={"status": {"expired": 1, "revoked": 1}}),
    standing_case("regional-revoked", "che-bup-phong-dien", levels=("khu_vuc",), status=REVOKED),
    standing_case("regional-expired", "bot-san-day", levels=("khu_vuc",), status=EXPIRED),
    standing_case("provincial-valid", "che-bup-phong-dien bot-san-day tra-hoa-vang", levels=("tinh",),
                  status=VALID, facets={"level": {"huyen": 1, "quoc_gia": 1, "tinh": 3, "xa": 1},
                                        "status": {"valid": 3, "expired": 2, "revoked": 1}}),
    standing_case("provincial-expired", "gom-chu-dau mam-tom", levels=("tinh",), status=EXPIRED),
    standing_case("provincial-revoked", "ruou-ngo", levels=("tinh",), status=REVOKED),
    standing_case("national-revoked", "che-bup-phong-dien", levels=("quoc_gia",), status=REVOKED),
    standing_case("national-not-yet-in-force", "mam-tom", levels=("quoc_gia",), status=EXPIRED),
    standing_case("national-or-regional-valid", "gom-chu-dau", levels=("quoc_gia", "khu_vuc"), status=VALID,
                  facets={"status": {"valid": 1, "expired": 2, "revoked": 1}}),
    standing_case("valid-anywhere", "che-bup-phong-dien bot-san-day gom-chu-dau non-tho tra-hoa-vang",
                  status=VALID, facets={"status": {"valid": 5, "expired": 1, "revoked": 1},
                                        "level": {"huyen": 1, "quoc_gia": 1, "tinh": 3, "xa": 1}}),
    standing_case("revoked-overall", "ruou-ngo", status=REVOKED),
    standing_case("expired-overall", "mam-tom", status=EXPIRED),
    standing_case("national-ever", "che-bup-phong-dien gom-chu-dau mam-tom", levels=("quoc_gia",),
                  facets={"status": {"valid": 1, "expired": 1, "revoked": 1}}),
    standing_case("unknown-level-with-status", "", levels=('tinh" OR id > 0',), status=VALID),
]


# The address set: the producer's address is searchable at a low weight (commune, district,
# former district, as written), so a product found only by its address ranks after every
# product whose name (or another field) matches. Its own index, so the cases above keep their totals.
ADDRESS_DOCUMENTS: list[ProductDocument] = [
    _doc(201, "che-tan-cuong", "Chè Tân Cương", "thai-nguyen",
         address="Xóm Nam Thái, xã Tân Cương, TP Thái Nguyên"),
    _doc(202, "tra-xanh-hao-dat", "Trà xanh Hảo Đạt", "thai-nguyen", producer_name="HTX chè Hảo Đạt",
         address="Xóm Hảo Sơn, xã Tân Cương, TP Thái Nguyên", latest_issued=20240901, years=[2024]),
    _doc(203, "gao-bao-thai", "Gạo Bao Thai", "thai-nguyen", "bac-kan", group=FOOD,
         address="Thị trấn Bằng Lũng, huyện Chợ Đồn"),
    _doc(204, "banh-phu-the", "Bánh phu thê", "hung-yen", "thai-binh",
         address="Số 8 phố Trà Lý, phường Lê Hồng Phong, TP Thái Bình"),
    _doc(205, "tra-hoa-vang-ba-che", "Trà hoa vàng Ba Chẽ", "quang-ninh", address="Thôn Làng Mô, xã Ba Chẽ"),
    _doc(206, "giay-do-hoa", "Giấy dó", "bac-ninh", group=CRAFT, address="Thôn Đống Cao, xã Phong Khê"),
]
ADDRESS_CASES: list[Case] = [
    case("tan-cuong-folded", "che-tan-cuong tra-xanh-hao-dat", leading="che-tan-cuong", text="tan cuong",
         facets={"province": {"thai-nguyen": 2}, "year": {"2023": 1, "2024": 1}, "status": {"valid": 2}}),
    case("tan-cuong-diacritics", "che-tan-cuong tra-xanh-hao-dat", leading="che-tan-cuong", text="Tân Cương"),
    case("cho-don-folded", "gao-bao-thai", text="cho don"),
    case("cho-don-diacritics", "gao-bao-thai", text="Chợ Đồn"),
    case("cho-don-with-province-filter", "gao-bao-thai", text="cho don", provinces=("bac-kan",)),
    case("cho-don-other-province", [], text="cho don", provinces=("quang-ninh",),
         facets={"province": {"thai-nguyen": 1}}),
    case("unrelated-query", "giay-do-hoa", text="giấy"),
    case("facets-without-text",
         "che-tan-cuong tra-xanh-hao-dat gao-bao-thai banh-phu-the tra-hoa-vang-ba-che giay-do-hoa",
         facets={"province": {"bac-ninh": 1, "hung-yen": 1, "quang-ninh": 1, "thai-nguyen": 3},
                 "group": {"che_bien": 5, "thu_cong_my_nghe": 1}}),
]
# "trà": names holding it (or its synonym chè) come first, the product on phố Trà Lý last.
ADDRESS_ONLY_FOR_TRA = "banh-phu-the"
