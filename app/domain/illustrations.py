"""Which illustration a product without a photo gets: its kind, from its name and group.

The one place that decides it. A kind is a few Vietnamese words (matched folded, as whole
words, so "tra" finds "Trà xanh" but not "Trảng Bàng"), a few English ones for names entered
in English, an emoji of the OpenMoji set (app/static/illustrations/CREDITS.md) and the group
whose soft background colour the card gets. Kinds of the product's own group are tried first,
so "Giò lụa" (a food) is a sausage, not silk, and "Kéo cắt cành" (a tool) is not "kẹo"
(sweets); a name that names no kind gets its group's kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from app.domain.groups import ProductGroup
from app.domain.messages import N_
from app.domain.text import fold

_PUNCTUATION = re.compile(r"[^\w]+")


@dataclass(frozen=True, slots=True)
class Illustration:
    """One kind of product and the emoji that illustrates it."""

    code: str  # ASCII, in URLs and CSS classes
    label: str  # Vietnamese, through gettext on pages
    codepoint: str  # the OpenMoji file name without ".svg", e.g. "1F375"
    group: ProductGroup  # whose background colour the card has
    words: tuple[str, ...] = ()  # folded Vietnamese phrases
    english: tuple[str, ...] = ()  # lowercase English phrases

    @property
    def svg_path(self) -> str:
        """The vendored SVG, relative to app/static."""
        return f"illustrations/openmoji/{self.codepoint}.svg"

    @property
    def png_path(self) -> str:
        """The SVG rendered at vendoring time (scripts/vendor_illustrations.py), relative to app/static."""
        return f"illustrations/png/{self.codepoint}.png"


_G, _C, _M, _K = (ProductGroup.thu_cong_my_nghe, ProductGroup.che_bien, ProductGroup.co_khi,
                  ProductGroup.khac)
# In the order they are tried within a group: the more specific before the more general.
KINDS: tuple[Illustration, ...] = (
    # Food (chế biến)
    Illustration("rice-paper", N_("Bánh tráng"), "1FAD3", _C, ("banh trang", "banh da", "banh phong"),
                 ("rice paper",)),
    Illustration("noodles", N_("Bún, phở, miến, mì"), "1F35C", _C,
                 ("bun", "pho", "mien", "mi", "my gao", "my tom", "hu tieu", "banh canh", "banh da do"),
                 ("noodle", "noodles")),
    Illustration("fish-sauce", N_("Nước mắm, nước chấm"), "1F41F", _C,
                 ("nuoc mam", "mam", "tuong", "nuoc cham"), ("fish sauce",)),
    Illustration("honey", N_("Mật ong"), "1F36F", _C, ("mat ong",), ("honey",)),
    Illustration("coffee", N_("Cà phê"), "2615", _C, ("ca phe",), ("coffee",)),
    Illustration("wine", N_("Rượu"), "1F376", _C, ("ruou",), ("wine", "liquor", "spirit")),
    Illustration("cakes", N_("Bánh, kẹo, mứt"), "1F96E", _C, ("banh", "keo", "mut", "o mai"),
                 ("cake", "cakes", "candy", "sweets", "jam")),
    Illustration("meat", N_("Giò, chả, lạp xưởng"), "1F356", _C,
                 ("gio", "cha", "lap xuong", "nem", "kho bo", "thit", "xuc xich"), ("sausage", "meat")),
    Illustration("tea", N_("Chè, trà"), "1F375", _C, ("che", "tra"), ("tea",)),
    Illustration("rice", N_("Gạo, cơm sấy"), "1F33E", _C, ("gao", "com", "lua", "nep"), ("rice",)),
    Illustration("nuts", N_("Hạt, đậu, lạc"), "1F95C", _C,
                 ("hat dieu", "dieu", "lac", "dau phong", "hat", "dau"), ("nut", "nuts", "cashew", "peanut")),
    Illustration("mushrooms", N_("Nấm"), "1F344", _C,
                 ("nam huong", "nam linh chi", "nam rom", "nam mo", "nam dong co", "nam tram", "nam meo",
                  "cha nam"),
                 ("mushroom", "mushrooms")),
    Illustration("fruit", N_("Trái cây"), "1F96D", _C,
                 ("sau rieng", "dua", "xoai", "vai", "nhan", "chuoi", "mit", "buoi", "thanh long",
                  "trai cay", "hoa qua", "mang cau", "chanh day"),
                 ("fruit", "mango", "durian", "coconut")),
    Illustration("spices", N_("Gia vị"), "1F336", _C,
                 ("tieu", "ho tieu", "ot", "gung", "toi", "bot que", "hoa hoi", "bot nghe", "muoi"),
                 ("pepper", "spice", "spices", "chili", "ginger", "salt", "cinnamon")),
    # Crafts (thủ công mỹ nghệ)
    Illustration("pottery", N_("Gốm sứ"), "1F3FA", _G, ("gom", "su", "binh gom"),
                 ("pottery", "ceramic", "ceramics", "porcelain")),
    Illustration("basketry", N_("Mây tre đan, cói, lục bình"), "1F9FA", _G,
                 ("may", "tre", "coi", "luc binh", "guot", "gio", "ro ra", "ro", "thung", "chieu"),
                 ("rattan", "bamboo", "basket", "sedge", "hyacinth")),
    Illustration("hat", N_("Nón"), "1F452", _G, ("non",), ("hat", "conical hat")),
    Illustration("textile", N_("Thêu, dệt, thổ cẩm, lụa"), "1F9F5", _G,
                 ("theu", "det", "tho cam", "lua", "to tam", "vai", "ren"),
                 ("embroidery", "brocade", "silk", "textile", "weaving")),
    Illustration("picture", N_("Tranh, sơn mài, khảm trai"), "1F5BC", _G,
                 ("son mai", "kham trai", "tranh"), ("lacquer", "painting", "mother of pearl")),
    Illustration("wood", N_("Đồ gỗ, mộc"), "1FAB5", _G,
                 ("go", "do moc", "moc my nghe", "co so moc", "tu tho", "ban ghe", "dieu khac"),
                 ("wood", "wooden", "carving")),
    # Mechanical (cơ khí)
    Illustration("knives", N_("Dao, nông cụ rèn"), "1F52A", _M,
                 ("dao", "ren", "keo", "luoi cay", "nong cu", "cuoc", "liem"),
                 ("knife", "knives", "forge", "forged")),
    Illustration("machinery", N_("Máy nông nghiệp"), "1F69C", _M,
                 ("may", "lo say", "co khi"), ("machine", "machinery", "thresher", "tractor")),
    # Other products (khác)
    Illustration("soap", N_("Xà phòng, nước rửa"), "1F9FC", _K,
                 ("xa phong", "xa bong", "nuoc rua", "nuoc giat", "dau goi", "hoa my pham"),
                 ("soap", "detergent", "shampoo")),
    Illustration("essential-oil", N_("Tinh dầu"), "1F9F4", _K, ("tinh dau",), ("essential oil",)),
    Illustration("incense", N_("Nhang, hương trầm"), "1FA94", _K,
                 ("nhang", "huong tram", "tram huong", "huong nu", "que nhang"), ("incense",)),
)
# A group's own illustration: its words are tried after its kinds', and it is what a name that names
# no kind gets.
GROUP_KINDS: dict[ProductGroup, Illustration] = {
    _G: Illustration("crafts", N_("Thủ công mỹ nghệ"), "1F3A8", _G,
                     ("duc dong", "do dong", "den long", "my nghe", "thu cong")),
    _C: Illustration("food", N_("Thực phẩm chế biến"), "1F372", _C, ("bot", "san day", "nuoc khoang")),
    _M: Illustration("mechanical", N_("Cơ khí"), "2699", _M, ("cua cuon", "phu tung")),
    _K: Illustration("other", N_("Sản phẩm khác"), "1F331", _K,
                     ("phan bon", "gia the", "xo dua", "than", "choi", "duoc lieu", "thao moc")),
}
ALL_KINDS: tuple[Illustration, ...] = KINDS + tuple(GROUP_KINDS.values())
BY_CODE: dict[str, Illustration] = {kind.code: kind for kind in ALL_KINDS}
# Soft, light backgrounds (the emoji's black outlines stay legible), one per group.
BACKGROUNDS: dict[ProductGroup, str] = {
    _G: "#f6ead8", _C: "#eaf3e0", _M: "#e3ebf3", _K: "#efe8f4",
}


def _pattern(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    """Whole-word alternatives, longest first."""
    if not phrases:
        return None
    ordered = sorted(phrases, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in ordered) + r")(?!\w)")


@cache
def _patterns(code: str) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """The compiled Vietnamese and English patterns of a kind."""
    kind = BY_CODE[code]
    return _pattern(kind.words), _pattern(kind.english)


@cache
def _order(group: ProductGroup) -> tuple[Illustration, ...]:
    """Kinds in the order they are tried for a product of `group`: its own group's first."""
    own = tuple(k for k in KINDS if k.group == group) + (GROUP_KINDS[group],)
    return own + tuple(k for k in KINDS if k.group != group)


def _key(text: str) -> str:
    """Folded, punctuation to spaces, single-spaced: "Bộ sản phẩm rổ, rá" → "bo san pham ro ra"."""
    return " ".join(_PUNCTUATION.sub(" ", fold(text).replace("_", " ")).split())


@lru_cache(maxsize=1 << 14)  # the names on the pages being served; a catalog of 100,000 stays bounded
def illustration_for(name: str, group: ProductGroup | str) -> Illustration:
    """The illustration of a product called `name` in `group`: its Vietnamese words, its English ones,
    else its group's."""
    group = ProductGroup(group)
    key = _key(name)
    order = _order(group)
    for kind in order:
        vietnamese, _english = _patterns(kind.code)
        if vietnamese is not None and vietnamese.search(key):
            return kind
    lowered = " ".join(_PUNCTUATION.sub(" ", name.lower()).split())
    for kind in order:
        _vietnamese, english = _patterns(kind.code)
        if english is not None and english.search(lowered):
            return kind
    return GROUP_KINDS[group]


def is_specific(kind: Illustration) -> bool:
    """False for a group's fallback illustration."""
    return kind.code not in {k.code for k in GROUP_KINDS.values()}
