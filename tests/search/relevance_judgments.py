"""Judged search queries over the demo data set, and the metrics that score an engine on them.

Each judgment is what a person typing the query wants to find: the relevant set is written
from the products' names, producers and certificates (app/data/sample_products.csv and the
seeded generated catalog of `cnnt demo`), never copied from an engine's answer. Products are
named by slug; if the demo catalog changes, `check_slugs` fails loudly.

Shared by tests/search/test_relevance.py and scripts/relevance.py (`make relevance`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from app.config import Settings
from search.engine import SearchEngine, SearchQuery

TOP_K = 10
TODAY = date(2026, 11, 1)  # fixed, so status never changes which documents exist
RECALL_TARGET = 0.95
MRR_TARGET = 0.85

CATEGORIES = {
    "unaccented": "typed without diacritics",
    "d": "đ typed as d, or Đ spelled out",
    "typo": "one edit (insert, delete, substitute) in a word of ≥5 letters",
    "former_province": "a former (pre-2025) province name in the text",
    "synonym": "a configured synonym or spelling variant (search/synonyms.py)",
    "producer": "the producer's name",
    "partial": "last word cut short, as while typing",
    "certificate_number": "a printed certificate number, as printed or without punctuation",
    "decision_number": "a selection round's decision number",
    "brand": "a Latin brand word the data contains",
    "diacritic_ranking": "exact diacritics must rank above words that only fold the same",
    "address": "a commune, district or town where the producer is (the sample's locality)",
    "english": "an English product word or phrase (app/data/glossary_en.csv)",
}


@dataclass(frozen=True, slots=True)
class Judgment:
    """One query, its category and the slugs a person would count as right answers."""

    category: str
    query: str
    relevant: frozenset[str]


def _j(category: str, query: str, slugs: str) -> Judgment:
    """A judgment from a whitespace-separated list of slugs."""
    return Judgment(category=category, query=query, relevant=frozenset(slugs.split()))


BANH_TRANG = (
    "banh-trang-imextravinh banh-trang-ngoc-lan banh-trang-thanh-tam banh-trang-son-thuy "
    "banh-trang-dong-hai banh-trang-thien-an banh-trang-moc-lan banh-trang-loc-dien"
)
MAT_ONG_RUNG = (
    "mat-ong-rung-lam-son mat-ong-rung-bao-chau mat-ong-rung-gia-bao mat-ong-rung-hong-phuc "
    "mat-ong-rung-thinh-phat mat-ong-rung-son-thuy mat-ong-rung-que-huong mat-ong-rung-loc-dien "
    "mat-ong-rung-thanh-tam mat-ong-rung-hai-dang"
)
MY_GAO = "my-gao-my-hoa my-gao-dong-xanh my-gao-ngoc-lan my-gao-lang-viet"
DECISION_3116 = (  # the 2023 national round (QĐ 3116/QĐ-BCT, 01/12/2023): Trà Vinh and Thái Nguyên winners
    "nuoc-cot-dua-cap-dong banh-trang-imextravinh gao-long-hiep-hat-ngoc-rong "
    "nuoc-khoang-thien-nhien-dong-chai-sao-bien nhat-diep-hao-tra huong-son-tra che-moc-cau "
    "mien-toi-den-viet-cuong van-loc-tra"
)
HOP_KHAM_TRAI = (
    "hop-kham-trai-ngoc-lan hop-kham-trai-que-huong hop-kham-trai-thinh-phat hop-kham-trai-hoa-sen "
    "hop-kham-trai-loc-dien hop-kham-trai-my-hoa hop-kham-trai-huong-que"
)
GOLDEN_CAMELLIA = (
    "tra-hoa-vang-bao-chau tra-hoa-vang-binh-minh tra-hoa-vang-hoa-sen tra-hoa-vang-phong-dien "
    "tra-hoa-vang-phu-an tra-hoa-vang-phuc-loc tra-hoa-vang-thanh-tam"
)

JUDGMENTS: tuple[Judgment, ...] = (
    # Typed without diacritics.
    _j("unaccented", "banh trang", BANH_TRANG),
    _j("unaccented", "com say nhat quynh", "com-say-nhat-quynh"),
    _j("unaccented", "mat ong rung", MAT_ONG_RUNG),
    _j("unaccented", "nuoc mam thai an", "nuoc-mam-thai-an"),
    _j("unaccented", "vai lua to tam ma chau", "vai-lua-to-tam-ma-chau"),
    _j("unaccented", "tuong ban", "tuong-ban-binh-minh tuong-ban-hong-phuc tuong-ban-hung-thinh"),
    _j("unaccented", "sau rieng say thang hoa", "sau-rieng-say-thang-hoa"),
    _j("unaccented", "lap xuong chin trong", "lap-xuong-chin-trong"),
    _j("unaccented", "non ngua phu gia", "non-ngua-phu-gia"),
    _j("unaccented", "tu tho truyen thong go cong", "tu-tho-truyen-thong-go-cong"),
    _j("unaccented", "gom men lam",
       "gom-men-lam-gia-bao gom-men-lam-thien-an gom-men-lam-hung-thinh gom-men-lam-cam-tu "
       "gom-men-lam-huong-que"),
    _j("unaccented", "khan tho cam",
       "khan-tho-cam-my-hoa khan-tho-cam-hong-phuc khan-tho-cam-dong-xanh khan-tho-cam-nam-phong "
       "khan-tho-cam-hung-thinh khan-tho-cam-binh-minh khan-tho-cam-truong-xuan"),
    _j("unaccented", "mien toi den", "mien-toi-den-viet-cuong"),
    # đ typed as d (and Đ written out).
    _j("d", "duong thi nga",
       "chieu-coi-hoa-binh bun-kho-loc-dien bun-kho-dong-hai banh-trang-thien-an "
       "nuoc-rua-chen-bo-hon-son-thuy gom-men-lam-cam-tu luoi-cay-minh-duc"),
    _j("d", "mut gung da nang", "mut-gung-dai-nam mut-gung-song-que"),
    _j("d", "mứt gừng Đà Nẵng", "mut-gung-dai-nam mut-gung-song-que"),
    _j("d", "do dong my thuat",
       "do-dong-my-thuat-an-khang do-dong-my-thuat-phuc-loc do-dong-my-thuat-tay-son "
       "do-dong-my-thuat-son-thuy do-dong-my-thuat-hanh-phuc do-dong-my-thuat-gia-bao "
       "do-dong-my-thuat-dong-hai"),
    _j("d", "dong xanh",
       "ruou-nep-cai-hoa-vang-dong-xanh gio-may-tre-dong-xanh tui-coi-theu-dong-xanh may-bam-co-dong-xanh "
       "khan-tho-cam-dong-xanh choi-dot-dong-xanh my-gao-dong-xanh binh-gom-ve-tay-dong-xanh "
       "bo-dao-lam-bep-dong-xanh keo-cat-canh-dong-xanh"),
    _j("d", "banh pia dong hai", "banh-pia-dong-hai"),
    _j("d", "dai nam",
       "tranh-da-quy-dai-nam lo-say-che-dai-nam may-gieo-hat-dai-nam gia-the-xo-dua-dai-nam "
       "nong-cu-cam-tay-dai-nam mut-gung-dai-nam mien-dong-dai-nam ca-phe-rang-xay-dai-nam"),
    _j("d", "Đại Nam",
       "tranh-da-quy-dai-nam lo-say-che-dai-nam may-gieo-hat-dai-nam gia-the-xo-dua-dai-nam "
       "nong-cu-cam-tay-dai-nam mut-gung-dai-nam mien-dong-dai-nam ca-phe-rang-xay-dai-nam"),
    _j("d", "dac biet", "bo-kich-thich-moc-toc-dac-biet"),
    _j("d", "den long vai",
       "den-long-vai-thien-an den-long-vai-gia-bao den-long-vai-dong-hai den-long-vai-phuc-loc "
       "den-long-vai-binh-minh den-long-vai-phong-dien"),
    _j("d", "dien bien",  # products certified in Điện Biên
       "xa-phong-thao-moc-lam-son do-dong-my-thuat-phuc-loc may-thai-chuoi-gia-bao hop-kham-trai-ngoc-lan "
       "tranh-theu-tay-hanh-phuc tranh-theu-tay-loc-dien tuong-go-my-nghe-hoa-sen tranh-son-mai-lang-viet "
       "gia-the-xo-dua-kim-ngan"),
    # One-edit typos in words of five letters or more.
    _j("typo", "nhat quyng", "com-say-nhat-quynh"),
    _j("typo", "imextravin", "banh-trang-imextravinh"),
    _j("typo", "imextrsvinh", "banh-trang-imextravinh"),
    _j("typo", "hat dieu cagaci", "hat-dieu-say-toi-ot-cagachi"),
    _j("typo", "quyett thang", "che-xanh-quyet-thang"),
    _j("typo", "lap xuonh", "lap-xuong-chin-trong"),
    _j("typo", "sau rienh", "sau-rieng-say-thang-hoa"),
    _j("typo", "nuoc khoag sao bien", "nuoc-khoang-thien-nhien-dong-chai-sao-bien"),
    _j("typo", "htx che tuyet huomg", "huong-son-tra"),
    _j("typo", "mien toi den viet cuonh", "mien-toi-den-viet-cuong"),
    _j("typo", "tramh son mai",
       "tranh-son-mai-huong-que tranh-son-mai-nam-phong tranh-son-mai-bao-chau tranh-son-mai-hoa-binh "
       "tranh-son-mai-lang-viet"),
    _j("typo", "banh trangg", BANH_TRANG),
    # Former province names (products keep the province they were certified in).
    _j("former_province", "tra vinh banh trang", "banh-trang-imextravinh"),
    _j("former_province", "quang nam che", "che-xanh-quyet-thang"),
    _j("former_province", "bac giang",
       "gia-the-xo-dua-dai-nam che-bup-phong-dien chieu-coi-hanh-phuc may-tre-dan-phuc-loc "
       "luoi-cay-minh-duc hat-dieu-rang-muoi-tan-tien"),
    _j("former_province", "tien giang",
       "sau-rieng-say-thang-hoa hat-dieu-say-toi-ot-cagachi lap-xuong-chin-trong tu-tho-truyen-thong-go-cong "
       "bo-kich-thich-moc-toc-dac-biet gio-may-tre-dong-xanh may-boc-vo-lac-lam-son "
       "phan-bon-huu-co-vi-sinh-tan-tien gao-thom-tan-tien may-tre-dan-dong-hai"),
    _j("former_province", "thua thien hue",
       "bo-san-pham-ro-ra lo-say-che-que-huong tui-coi-theu-dong-xanh mien-dong-xuan-mai "
       "bo-am-chen-gom-phuc-loc may-xay-xat-gao-mini-cam-tu tranh-theu-tay-song-que my-gao-lang-viet"),
    _j("former_province", "ha giang",
       "may-thai-chuoi-tay-son gio-luc-binh-hanh-phuc may-gieo-hat-bao-chau nuoc-rua-chen-bo-hon-tan-tien"),
    _j("former_province", "quang binh",
       "tieu-den-xuan-mai may-gieo-hat-dai-nam binh-gom-ve-tay-loc-dien bot-san-day-song-que "
       "mut-gung-huong-que"),
    _j("former_province", "yen bai mien dong", "mien-dong-tay-son mien-dong-dai-nam"),
    _j("former_province", "ba ria vung tau",
       "gia-the-xo-dua-huong-que bun-kho-bao-chau ca-phe-rang-xay-dong-hai"),
    _j("former_province", "binh dinh nuoc mam", "nuoc-mam-thai-an"),
    # Configured synonyms and spelling variants.
    _j("synonym", "mì gạo", MY_GAO),
    _j("synonym", "mi gao", MY_GAO),
    _j("synonym", "trà búp", "che-bup-phu-an che-bup-phong-dien che-bup-hong-phuc"),
    _j("synonym", "chè xanh", "tra-xanh-minh-duc tra-xanh-loc-dien tra-xanh-tay-son che-xanh-quyet-thang"),
    _j("synonym", "chè hoa vàng",
       "tra-hoa-vang-hoa-sen tra-hoa-vang-phuc-loc tra-hoa-vang-phong-dien tra-hoa-vang-binh-minh "
       "tra-hoa-vang-bao-chau tra-hoa-vang-phu-an tra-hoa-vang-thanh-tam"),
    _j("synonym", "trà móc câu", "che-moc-cau"),
    _j("synonym", "chè ô long", "tra-o-long"),
    _j("synonym", "kẹo dừa hoà bình", "keo-dua-hoa-binh"),
    _j("synonym", "mật ong rừng sơn thuỷ", "mat-ong-rung-son-thuy"),
    _j("synonym", "tượng gỗ mĩ nghệ", "tuong-go-my-nghe-phong-dien tuong-go-my-nghe-hoa-sen"),
    _j("synonym", "tinh dầu sả chanh mĩ hoà", "tinh-dau-sa-chanh-my-hoa"),
    # Producer names.
    _j("producer", "hop tac xa ma chau", "vai-lua-to-tam-ma-chau"),
    _j("producer", "htx che tuyet huong", "huong-son-tra"),
    _j("producer", "cong ty luong thuc tra vinh", "banh-trang-imextravinh"),
    _j("producer", "nong lam nghiep quyet thang", "che-xanh-quyet-thang"),
    _j("producer", "co so moc hai a", "tu-tho-truyen-thong-go-cong"),
    _j("producer", "lang duc dong phuoc kieu", "gia-treo-khan"),
    _j("producer", "may tre dan bao la", "bo-san-pham-ro-ra"),
    _j("producer", "xi nghiep au co", "sot-dung-rac-cay-nam-bang-may-tre"),
    _j("producer", "thu giang", "cua-cuon"),
    _j("producer", "võ văn đạt", "may-gieo-hat-dong-hai may-gieo-hat-an-khang"),  # a household workshop
    _j("producer", "dntn long thuan", "bo-kich-thich-moc-toc-dac-biet"),
    _j("producer", "trà bắc", "nuoc-cot-dua-cap-dong"),
    # Partial words, as typed.
    _j("partial", "banh tr", BANH_TRANG),
    _j("partial", "imextra", "banh-trang-imextravinh"),
    _j("partial", "com say nh", "com-say-nhat-quynh"),
    _j("partial", "mat ong r", MAT_ONG_RUNG),
    _j("partial", "lap xu", "lap-xuong-chin-trong"),
    _j("partial", "sầu ri", "sau-rieng-say-thang-hoa"),
    _j("partial", "khảm tr", HOP_KHAM_TRAI),
    _j("partial", "cagac", "hat-dieu-say-toi-ot-cagachi"),
    _j("partial", "phan bon huu c",
       "phan-bon-huu-co-vi-sinh-song-que phan-bon-huu-co-vi-sinh-tan-tien phan-bon-huu-co-vi-sinh-binh-minh"),
    _j("partial", "nuoc khoang thien nh", "nuoc-khoang-thien-nhien-dong-chai-sao-bien"),
    # Printed certificate numbers (the generated catalog's; the real products' sources give none).
    _j("certificate_number", "017/2023/GCN-BCT", "banh-trang-moc-lan"),
    _j("certificate_number", "0172023GCNBCT", "banh-trang-moc-lan"),
    _j("certificate_number", "017 2023 gcn bct", "banh-trang-moc-lan"),
    _j("certificate_number", "010/2023/GCN-BCT", "chieu-coi-hoa-binh"),
    _j("certificate_number", "0102023gcnbct", "chieu-coi-hoa-binh"),
    _j("certificate_number", "002/2021/GCN-BCT", "mien-dong-tay-son"),
    _j("certificate_number", "002/2021", "mien-dong-tay-son"),
    _j("certificate_number", "015/2023/gcn-bct", "hop-kham-trai-thinh-phat"),
    _j("certificate_number", "005/2017/GCN-BCT", "banh-trang-son-thuy"),
    # Decision numbers of selection rounds.
    _j("decision_number", "3116/QĐ-BCT", DECISION_3116),
    _j("decision_number", "3116 qd bct", DECISION_3116),
    _j("decision_number", "3116/QD-BCT", DECISION_3116),
    _j("decision_number", "1997/QĐ-BCT", "bo-san-pham-ro-ra"),
    _j("decision_number", "1997 qd bct", "bo-san-pham-ro-ra"),
    _j("decision_number", "3856/QĐ-UBND", "tranh-son-mai-huong-que"),
    _j("decision_number", "3856 qđ ubnd", "tranh-son-mai-huong-que"),
    _j("decision_number", "2646/QĐ-BCT", "hat-dieu-rang-muoi-my-hoa may-boc-vo-lac-tan-tien"),
    # Latin brand words that the data really has (no invented English).
    _j("brand", "imextravinh", "banh-trang-imextravinh"),
    _j("brand", "IMEXTRAVINH", "banh-trang-imextravinh"),
    _j("brand", "cagachi", "hat-dieu-say-toi-ot-cagachi"),
    _j("brand", "bánh tráng imextravinh", "banh-trang-imextravinh"),
    _j("brand", "hat dieu cagachi", "hat-dieu-say-toi-ot-cagachi"),
    # Exact diacritics first: the query's word, not another word that folds the same.
    _j("diacritic_ranking", "đèn",
       "den-long-vai-thien-an den-long-vai-gia-bao den-long-vai-dong-hai den-long-vai-phuc-loc "
       "den-long-vai-binh-minh den-long-vai-phong-dien"),
    _j("diacritic_ranking", "đen",
       "mien-toi-den-viet-cuong tieu-den-hoa-sen tieu-den-xuan-mai tieu-den-an-khang tieu-den-loc-dien "
       "tieu-den-hung-thinh"),
    _j("diacritic_ranking", "lụa",
       "vai-lua-to-tam-ma-chau gio-lua-hong-phuc gio-lua-hoa-binh gio-lua-thien-an gio-lua-dong-hai "
       "lua-to-tam-vinh-hung lua-to-tam-dong-hai lua-to-tam-hong-phuc lua-to-tam-truong-xuan"),
    _j("diacritic_ranking", "lúa", "may-tuot-lua may-tuot-lua-moc-lan may-tuot-lua-cam-tu"),
    _j("diacritic_ranking", "gáo",
       "than-hoat-tinh-gao-dua-loc-dien than-hoat-tinh-gao-dua-thuan-thien than-hoat-tinh-gao-dua-dong-hai "
       "than-hoat-tinh-gao-dua-minh-duc"),
    _j("diacritic_ranking", "nấm", "sot-dung-rac-cay-nam-bang-may-tre"),
    _j("diacritic_ranking", "mỳ", MY_GAO),
    # Where the producer is: the localities app/data/sample_products.csv gives for the real
    # products (the demo writes them in the producer's name; its addresses are placeholders).
    _j("address", "tan cuong", "che-moc-cau"),
    _j("address", "xã Tân Cương", "che-moc-cau"),
    _j("address", "duy xuyen", "vai-lua-to-tam-ma-chau"),
    _j("address", "nui thanh", "sot-dung-rac-cay-nam-bang-may-tre"),
    _j("address", "tra cu", "gao-long-hiep-hat-ngoc-rong"),
    _j("address", "go cong", "lap-xuong-chin-trong tu-tho-truyen-thong-go-cong"),
    _j("address", "hoa thanh tam binh", "com-say-nhat-quynh"),
    _j("address", "dien ban", "gia-treo-khan"),
    _j("address", "bắc trà my", "nuoc-rua-chen-que-tra-my-minh-phuc"),
    _j("address", "tam hiep chau thanh", "sau-rieng-say-thang-hoa"),
    _j("address", "song thuan", "bo-kich-thich-moc-toc-dac-biet"),
    # English words for Vietnamese products: the glossary's phrases, plurals, any case.
    _j("english", "rice paper", BANH_TRANG),
    _j("english", "Fish Sauce",
       "nuoc-mam-an-khang nuoc-mam-hung-thinh nuoc-mam-moc-lan nuoc-mam-phuc-loc nuoc-mam-thai-an "
       "nuoc-mam-thuan-thien nuoc-mam-truong-xuan"),
    _j("english", "honey", MAT_ONG_RUNG),
    _j("english", "conical hats", "non-la-huong-que non-la-minh-duc non-la-son-thuy non-ngua-phu-gia"),
    _j("english", "green tea", "che-xanh-quyet-thang tra-xanh-loc-dien tra-xanh-minh-duc tra-xanh-tay-son"),
    _j("english", "oolong tea", "tra-o-long"),
    _j("english", "golden camellia tea", GOLDEN_CAMELLIA),
    _j("english", "brocade",
       "khan-tho-cam-binh-minh khan-tho-cam-dong-xanh khan-tho-cam-hong-phuc khan-tho-cam-hung-thinh "
       "khan-tho-cam-my-hoa khan-tho-cam-nam-phong khan-tho-cam-truong-xuan"),
    _j("english", "silk",
       "lua-to-tam-dong-hai lua-to-tam-hong-phuc lua-to-tam-truong-xuan lua-to-tam-vinh-hung "
       "vai-lua-to-tam-ma-chau"),
    _j("english", "incense", "nhang-tram-my-hoa nhang-tram-song-que"),
    _j("english", "rice wine",
       "ruou-nep-cai-hoa-vang-dong-xanh ruou-nep-cai-hoa-vang-gia-bao ruou-nep-cai-hoa-vang-que-huong "
       "ruou-nep-cai-hoa-vang-tan-loc ruou-nep-cai-hoa-vang-thanh-tam ruou-nep-cai-hoa-vang-thinh-phat"),
    _j("english", "coffee",
       "ca-phe-rang-xay-dai-nam ca-phe-rang-xay-dong-hai ca-phe-rang-xay-hoa-binh ca-phe-rang-xay-huong-que "
       "ca-phe-rang-xay-lam-son ca-phe-rang-xay-loc-dien ca-phe-rang-xay-vinh-hung ca-phe-rang-xay-xuan-mai"),
    _j("english", "cashew nuts",
       "hat-dieu-rang-muoi-huong-que hat-dieu-rang-muoi-kim-ngan hat-dieu-rang-muoi-my-hoa "
       "hat-dieu-rang-muoi-phuc-loc hat-dieu-rang-muoi-que-huong hat-dieu-rang-muoi-tan-tien "
       "hat-dieu-say-toi-ot-cagachi"),
    _j("english", "lacquer",
       "tranh-son-mai-bao-chau tranh-son-mai-hoa-binh tranh-son-mai-huong-que tranh-son-mai-lang-viet "
       "tranh-son-mai-nam-phong"),
    _j("english", "embroidered pictures",
       "tranh-theu-tay-hanh-phuc tranh-theu-tay-loc-dien tranh-theu-tay-song-que tranh-theu-tay-thien-an "
       "tranh-theu-tay-xuan-mai"),
    _j("english", "threshing machine", "may-tuot-lua may-tuot-lua-cam-tu may-tuot-lua-moc-lan"),
    _j("english", "bamboo basket",
       "bo-san-pham-ro-ra gio-may-tre-dong-xanh gio-may-tre-hoa-sen gio-may-tre-minh-duc gio-may-tre-phu-an "
       "sot-dung-rac-cay-nam-bang-may-tre"),
    _j("english", "glass noodles",
       "mien-dong-dai-nam mien-dong-hoa-binh mien-dong-loc-dien mien-dong-tay-son mien-dong-thanh-tam "
       "mien-dong-xuan-mai mien-toi-den-viet-cuong"),
    _j("english", "rice noodles",
       "bun-kho-bao-chau bun-kho-dong-hai bun-kho-gia-bao bun-kho-hai-dang bun-kho-loc-dien " + MY_GAO),
    _j("english", "shrimp paste", "mam-tom-lam-son mam-tom-nam-phong mam-tom-que-huong mam-tom-song-que"),
    _j("english", "dried durian", "sau-rieng-say-thang-hoa"),
    _j("english", "blue glazed pottery",
       "gom-men-lam-cam-tu gom-men-lam-gia-bao gom-men-lam-hung-thinh gom-men-lam-huong-que "
       "gom-men-lam-thien-an"),
    _j("english", "tea set",
       "bo-am-chen-gom-kim-ngan bo-am-chen-gom-lang-viet bo-am-chen-gom-my-hoa bo-am-chen-gom-phuc-loc "
       "bo-am-chen-gom-tan-tien bo-am-chen-gom-thanh-tam bo-am-chen-gom-thuan-thien"),
    _j("english", "LANTERNS",
       "den-long-vai-binh-minh den-long-vai-dong-hai den-long-vai-gia-bao den-long-vai-phong-dien "
       "den-long-vai-phuc-loc den-long-vai-thien-an"),
    _j("english", "kitchen knives",
       "bo-dao-lam-bep-an-khang bo-dao-lam-bep-dong-xanh bo-dao-lam-bep-hai-dang bo-dao-lam-bep-hanh-phuc "
       "bo-dao-lam-bep-lang-viet bo-dao-lam-bep-phuc-loc bo-dao-lam-bep-truong-xuan"),
    _j("english", "coconut candy",
       "keo-dua-binh-minh keo-dua-cam-tu keo-dua-hanh-phuc keo-dua-hoa-binh keo-dua-lam-son "
       "keo-dua-vinh-hung"),
    _j("english", "fermented pork",
       "nem-chua-hai-dang nem-chua-huong-que nem-chua-kim-ngan nem-chua-minh-duc nem-chua-tay-son "
       "nem-chua-thanh-tam nem-chua-truong-xuan"),
    _j("english", "kudzu",
       "bot-san-day-dong-hai bot-san-day-gia-bao bot-san-day-hoa-sen bot-san-day-hong-phuc "
       "bot-san-day-phu-an bot-san-day-song-que bot-san-day-thanh-tam"),
    _j("english", "water hyacinth baskets",
       "gio-luc-binh-hai-dang gio-luc-binh-hanh-phuc gio-luc-binh-hung-thinh gio-luc-binh-huong-que "
       "gio-luc-binh-ngoc-lan gio-luc-binh-que-huong"),
    _j("english", "sedge mats", "chieu-coi-hanh-phuc chieu-coi-hoa-binh chieu-coi-hung-thinh"),
    _j("english", "candied ginger",
       "mut-gung-binh-minh mut-gung-dai-nam mut-gung-huong-que mut-gung-lang-viet mut-gung-ngoc-lan "
       "mut-gung-song-que mut-gung-thuan-thien"),
    _j("english", "black pepper",
       "tieu-den-an-khang tieu-den-hoa-sen tieu-den-hung-thinh tieu-den-loc-dien tieu-den-xuan-mai "
       "tieu-tien-phuoc"),
    _j("english", "mother of pearl", HOP_KHAM_TRAI),
    _j("english", "bronze",  # the towel rack comes from a bronze-casting village's foundry
       "do-dong-my-thuat-an-khang do-dong-my-thuat-dong-hai do-dong-my-thuat-gia-bao "
       "do-dong-my-thuat-hanh-phuc do-dong-my-thuat-phuc-loc do-dong-my-thuat-son-thuy "
       "do-dong-my-thuat-tay-son gia-treo-khan"),
)


@dataclass(frozen=True, slots=True)
class QueryOutcome:
    """How one judged query fared: the slugs returned and where the relevant ones were."""

    judgment: Judgment
    returned: tuple[str, ...]
    total: int

    @property
    def found(self) -> frozenset[str]:
        """Relevant slugs within the top TOP_K."""
        return self.judgment.relevant & frozenset(self.returned[:TOP_K])

    @property
    def recall(self) -> float:
        """Share of the relevant set found in the top TOP_K (every set has at most TOP_K slugs)."""
        return len(self.found) / len(self.judgment.relevant)

    @property
    def first_rank(self) -> int | None:
        """1-based rank of the first relevant hit in the top TOP_K, None if none."""
        return next((i for i, slug in enumerate(self.returned[:TOP_K], 1) if slug in self.judgment.relevant),
                    None)

    @property
    def reciprocal_rank(self) -> float:
        """1/rank of the first relevant hit, 0 when none is in the top TOP_K."""
        rank = self.first_rank
        return 1.0 / rank if rank else 0.0

    @property
    def perfect(self) -> bool:
        """Every relevant product found and the first hit relevant."""
        return self.recall == 1.0 and self.first_rank == 1

    def describe(self) -> str:
        """One line for a failure list: query, numbers, what was missed and what came first."""
        missing = sorted(self.judgment.relevant - self.found)
        top = ", ".join(self.returned[:3]) or "no hits"
        parts = [f"[{self.judgment.category}] {self.judgment.query!r}: recall {self.recall:.2f}, "
                 f"first relevant at {self.first_rank or '-'} of {self.total} hits"]
        if missing:
            parts.append(f"missing {', '.join(missing)}")
        parts.append(f"top: {top}")
        return "; ".join(parts)


@dataclass(slots=True)
class Scores:
    """Mean recall@TOP_K and MRR of a group of outcomes."""

    count: int = 0
    recall: float = 0.0
    mrr: float = 0.0


@dataclass(slots=True)
class Report:
    """Outcomes of every judged query, with overall and per-category means."""

    outcomes: list[QueryOutcome] = field(default_factory=list)

    @staticmethod
    def _scores(outcomes: Sequence[QueryOutcome]) -> Scores:
        """Means over `outcomes` (zeros when empty)."""
        if not outcomes:
            return Scores()
        n = len(outcomes)
        return Scores(count=n, recall=sum(o.recall for o in outcomes) / n,
                      mrr=sum(o.reciprocal_rank for o in outcomes) / n)

    @property
    def overall(self) -> Scores:
        """Means over every query."""
        return self._scores(self.outcomes)

    def by_category(self) -> dict[str, Scores]:
        """Means per category, in CATEGORIES order."""
        return {c: self._scores([o for o in self.outcomes if o.judgment.category == c]) for c in CATEGORIES
                if any(o.judgment.category == c for o in self.outcomes)}

    @property
    def failing(self) -> list[QueryOutcome]:
        """Queries that missed a relevant product or did not rank a relevant one first."""
        return [o for o in self.outcomes if not o.perfect]

    def meets_targets(self) -> bool:
        """True when recall@TOP_K and MRR reach RECALL_TARGET and MRR_TARGET."""
        return self.overall.recall >= RECALL_TARGET and self.overall.mrr >= MRR_TARGET

    def summary(self) -> str:
        """Plain-text summary: overall, per category, then the imperfect queries."""
        lines = [f"overall: {self.overall.count} queries, recall@{TOP_K} {self.overall.recall:.3f} "
                 f"(target {RECALL_TARGET}), MRR {self.overall.mrr:.3f} (target {MRR_TARGET})"]
        for category, s in self.by_category().items():
            lines.append(f"  {category:<20} n={s.count:<3} recall@{TOP_K} {s.recall:.3f}  MRR {s.mrr:.3f}")
        lines.append(f"imperfect queries ({len(self.failing)}):")
        lines += [f"  {o.describe()}" for o in self.failing]
        return "\n".join(lines)


def check_slugs(known: Iterable[str], judgments: Sequence[Judgment] = JUDGMENTS) -> list[str]:
    """Judged slugs that the loaded catalog lacks: non-empty means the demo data changed."""
    catalog = set(known)
    return sorted({slug for j in judgments for slug in j.relevant} - catalog)


def evaluate(engine: SearchEngine, judgments: Sequence[Judgment] = JUDGMENTS, *,
             today: date = TODAY) -> Report:
    """Run every judged query through `engine.search` (relevance order, top TOP_K) and score it."""
    report = Report()
    for judgment in judgments:
        result = engine.search(SearchQuery(today=today, text=judgment.query, per_page=TOP_K))
        returned = tuple(hit.document["slug"] for hit in result.hits)
        report.outcomes.append(QueryOutcome(judgment=judgment, returned=returned, total=result.total))
    return report


class DemoSetupError(RuntimeError):
    """The demo catalog could not be loaded, or it is not the one these judgments describe."""


def load_demo_catalog(data_dir: Path) -> Settings:
    """Migrate a fresh SQLite database under `data_dir`, load `cnnt demo` into it, index it (embedded)."""
    from app.cli import load_demo
    from app.migrate import upgrade_database

    settings = Settings(data_dir=data_dir, database_url="", meili_url="", meili_key="")
    upgrade_database(settings)
    messages: list[str] = []
    if load_demo(settings, if_empty=False, echo=messages.append) != 0:
        raise DemoSetupError("cnnt demo failed: " + " | ".join(messages[-3:]))
    missing = check_slugs(catalog_slugs(settings))
    if missing:
        raise DemoSetupError(f"the demo catalog lacks judged products (seed or data changed?): {missing}")
    return settings


def catalog_slugs(settings: Settings) -> list[str]:
    """Every product slug in the database of `settings`."""
    from sqlmodel import Session, select

    from app.db import make_engine
    from app.models import Product

    db = make_engine(settings.sqlalchemy_url)
    try:
        with Session(db) as session:
            return list(session.exec(select(Product.slug)).all())
    finally:
        db.dispose()


def _validate(judgments: Sequence[Judgment]) -> None:
    """Categories known, queries unique, relevant sets non-empty and no larger than TOP_K."""
    seen: set[str] = set()
    for j in judgments:
        if j.category not in CATEGORIES or not j.relevant or len(j.relevant) > TOP_K or j.query in seen:
            raise ValueError(f"bad judgment: {j}")
        seen.add(j.query)


_validate(JUDGMENTS)
