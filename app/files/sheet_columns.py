"""The columns of a winners spreadsheet and the many ways offices write their headers.

Headers are matched folded (no diacritics, no punctuation, lower case): 'Tên cơ sở/chủ cơ sở'
→ 'ten co so chu co so'. An exact alias wins; then the header without a bracketed note
('Tên sản phẩm (bộ sản phẩm)'); then the longest alias the header starts with, for the
wordings that offices extend ('Địa chỉ sản xuất, kinh doanh').
"""

from __future__ import annotations

import re

from app.domain.text import fold

COLUMNS = (
    "certificate_number", "level", "issued_on", "decision_number", "decision_date", "region",
    "province", "product_name", "product_group", "description", "producer_name", "legal_form",
    "address", "phone", "email", "website", "score", "images",
)
REQUIRED_COLUMNS = ("level", "issued_on", "province", "product_name", "product_group", "producer_name")
# How pages and messages name a column that has no header in the file (filled from the round).
COLUMN_LABELS = {
    "certificate_number": "Số giấy chứng nhận", "level": "Cấp", "issued_on": "Ngày cấp",
    "decision_number": "Số quyết định", "decision_date": "Ngày quyết định", "region": "Khu vực",
    "province": "Tỉnh/thành phố", "product_name": "Tên sản phẩm", "product_group": "Nhóm sản phẩm",
    "description": "Mô tả", "producer_name": "Tên cơ sở", "legal_form": "Loại hình",
    "address": "Địa chỉ", "phone": "Điện thoại", "email": "Email", "website": "Website",
    "score": "Điểm", "images": "Ảnh",
}
IGNORED = "ignored"  # STT, TT: numbering, dropped without a word
ADDRESS_PART = "address_part"  # Huyện, Xã: joined into the address when the file has no address column
_ALIASES: dict[str, tuple[str, ...]] = {
    "certificate_number": ("so giay chung nhan", "so gcn", "so chung nhan", "gcn", "so giay cn",
                           "so hieu giay chung nhan", "ma so chung nhan"),
    "level": ("cap", "cap chung nhan", "cap binh chon", "cap cong nhan", "cap san pham", "cap danh hieu"),
    "issued_on": ("ngay cap", "ngay cap gcn", "ngay chung nhan", "ngay cap giay chung nhan",
                  "ngay cong nhan", "nam cong nhan", "nam chung nhan", "thoi gian cong nhan"),
    "decision_number": ("so quyet dinh", "quyet dinh", "so qd", "qd", "quyet dinh cong nhan",
                        "so quyet dinh cong nhan", "so qd cong nhan", "quyet dinh so"),
    "decision_date": ("ngay quyet dinh", "ngay qd", "ngay ban hanh quyet dinh", "ngay ky quyet dinh"),
    "region": ("khu vuc", "vung", "mien"),
    "province": ("tinh", "tinh thanh pho", "tinh thanh", "tinh tp", "don vi tinh thanh pho"),
    "product_name": ("ten san pham", "san pham", "ten san pham bo san pham", "ten san pham du thi",
                     "ten san pham bo san pham du thi", "san pham bo san pham", "ten sp", "ten bo san pham"),
    "product_group": ("nhom san pham", "nhom", "linh vuc", "nganh hang", "nhom nganh", "nhom sp",
                      "thuoc nhom", "phan nhom"),
    "description": ("mo ta", "mo ta san pham", "dac diem san pham", "thong tin san pham"),
    "producer_name": ("ten co so", "co so san xuat", "co so", "ten co so san xuat", "chu the", "chu co so",
                      "ten co so chu co so", "co so chu co so", "don vi", "ten don vi", "to chuc ca nhan",
                      "ten to chuc ca nhan", "chu the san xuat", "ten doanh nghiep htx", "ten doanh nghiep",
                      "doanh nghiep htx", "ten chu the", "don vi san xuat", "co so cong nghiep nong thon",
                      "ten co so cong nghiep nong thon", "don vi ca nhan", "ten chu the san xuat",
                      "co so du thi", "ten co so du thi", "ten co so doanh nghiep"),
    "legal_form": ("loai hinh", "loai hinh co so", "hinh thuc", "loai hinh doanh nghiep",
                   "hinh thuc to chuc"),
    "address": ("dia chi", "dia chi co so", "dia chi san xuat", "dia chi lien he", "dia chi tru so",
                "dia chi san xuat kinh doanh", "dia chi co so san xuat", "dia diem", "dia diem san xuat"),
    "phone": ("dien thoai", "so dien thoai", "sdt", "dt", "dien thoai lien he", "so dt", "dt lien he",
              "so dien thoai lien he"),
    "email": ("thu dien tu", "e mail", "dia chi email", "dia chi thu dien tu"),
    "website": ("trang web", "web", "trang thong tin dien tu"),
    "score": ("diem", "tong diem", "diem so", "diem binh chon", "ket qua cham diem", "diem danh gia",
              "so diem", "diem dat", "tong so diem"),
    "images": ("hinh anh", "anh", "anh san pham"),
    IGNORED: ("stt", "tt", "so tt", "so thu tu", "thu tu"),
    ADDRESS_PART: ("huyen", "xa", "huyen thi xa thanh pho", "xa phuong thi tran", "phuong xa", "xa phuong",
                   "quan huyen", "huyen thi xa", "thon", "thon xom", "thon ap", "ap", "thon ban",
                   "thi xa thanh pho", "huyen thanh pho"),
}
# Aliases that may begin a longer header ('Địa chỉ sản xuất, kinh doanh', 'Tên sản phẩm dự thi cấp tỉnh').
_PREFIXES = ("ten san pham", "ten co so", "dia chi", "so dien thoai", "dien thoai", "nhom san pham",
             "so quyet dinh", "ngay cap", "tong diem", "diem", "ten to chuc", "to chuc ca nhan", "mo ta",
             "so giay chung nhan", "ngay quyet dinh", "loai hinh", "chu the", "hinh anh", "ghi chu")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_BRACKETS = re.compile(r"\([^)]*\)")
# "Tên sản phẩm (product_name)": a label with its column code, as the template writes headers.
_CODE_IN_BRACKETS = re.compile(r"\(\s*([a-z_]+)\s*\)\s*$")


def header_key(text: str) -> str:
    """A header reduced for matching: 'Tỉnh/Thành phố' → 'tinh thanh pho'."""
    return " ".join(_NOT_WORD.sub(" ", fold(text)).split())


def _alias_index() -> dict[str, str]:
    """Header key → column, for canonical names and Vietnamese aliases."""
    index = {header_key(column): column for column in COLUMNS}
    index.update({column: column for column in COLUMNS})
    for column, aliases in _ALIASES.items():
        index.update(dict.fromkeys(aliases, column))
    index["ghi chu"] = ""  # a known header that is not a column: reported like any unknown one
    return index


_INDEX = _alias_index()


def classify_header(text: str) -> str | None:
    """A column, IGNORED, ADDRESS_PART, or None for a header we do not use."""
    bracketed = _CODE_IN_BRACKETS.search(text)
    if bracketed is not None and bracketed[1] in COLUMNS:
        return bracketed[1]
    key = header_key(text)
    for candidate in (key, key.replace(" ", "_"), header_key(_BRACKETS.sub(" ", text))):
        if candidate in _INDEX:
            return _INDEX[candidate] or None
    for prefix in sorted(_PREFIXES, key=len, reverse=True):
        if key.startswith(prefix + " "):
            return _INDEX[prefix] or None
    return None


def column_for_header(text: str) -> str | None:
    """The canonical column named by a header (English name, Vietnamese alias, or 'Label (code)'), or None."""
    found = classify_header(text)
    return found if found in COLUMNS else None


def column_letter(position: int) -> str:
    """0 → 'A', 25 → 'Z', 26 → 'AA', as spreadsheets name columns."""
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
