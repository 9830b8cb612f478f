"""Word lists for the generated part of the demo data: realistic products, fictitious producers."""

from __future__ import annotations

import itertools
import random

# (product name stem, trade word for the producer's name), by group code.
PRODUCTS: dict[str, tuple[tuple[str, str], ...]] = {
    "thu_cong_my_nghe": (
        ("Gốm men lam", "gốm"), ("Bình gốm vẽ tay", "gốm"), ("Mây tre đan", "mây tre đan"),
        ("Giỏ mây tre", "mây tre đan"), ("Nón lá", "nón lá"), ("Lụa tơ tằm", "dệt lụa"),
        ("Khăn thổ cẩm", "dệt thổ cẩm"), ("Chiếu cói", "chiếu cói"), ("Tranh sơn mài", "sơn mài"),
        ("Hộp khảm trai", "khảm trai"), ("Tượng gỗ mỹ nghệ", "mộc mỹ nghệ"), ("Đèn lồng vải", "đèn lồng vải"),
        ("Giỏ lục bình", "lục bình"), ("Tranh thêu tay", "thêu"), ("Bộ ấm chén gốm", "gốm"),
        ("Túi cói thêu", "cói"), ("Tranh đá quý", "tranh đá quý"), ("Đồ đồng mỹ thuật", "đúc đồng"),
    ),
    "che_bien": (
        ("Nước mắm", "nước mắm"), ("Bánh tráng", "bánh tráng"), ("Chè búp", "chè"),
        ("Trà xanh", "chè"), ("Mật ong rừng", "mật ong"), ("Miến dong", "miến dong"),
        ("Bánh pía", "bánh pía"), ("Kẹo dừa", "kẹo dừa"), ("Cà phê rang xay", "cà phê"),
        ("Mắm tôm", "mắm"), ("Tương bần", "tương"), ("Giò lụa", "giò chả"), ("Hạt điều rang muối", "điều"),
        ("Tiêu đen", "hồ tiêu"), ("Bột sắn dây", "sắn dây"), ("Nem chua", "nem chua"),
        ("Mứt gừng", "mứt"), ("Gạo thơm", "lúa gạo"), ("Rượu nếp cái hoa vàng", "rượu"),
        ("Bún khô", "bún"), ("Chả cá", "chả cá"), ("Mỳ gạo", "mỳ gạo"), ("Trà hoa vàng", "chè"),
    ),
    "co_khi": (
        ("Máy tuốt lúa", "cơ khí"), ("Dao rèn", "rèn"), ("Bộ dao làm bếp", "rèn"),
        ("Máy sấy nông sản", "cơ khí"), ("Máy thái chuối", "cơ khí"), ("Máy ép mía", "cơ khí"),
        ("Máy bóc vỏ lạc", "cơ khí"), ("Máy gieo hạt", "cơ khí nông nghiệp"), ("Lưỡi cày", "rèn"),
        ("Nông cụ cầm tay", "rèn"), ("Máy xay xát gạo mini", "cơ khí"), ("Lò sấy chè", "cơ khí"),
        ("Máy băm cỏ", "cơ khí"), ("Kéo cắt cành", "rèn"),
    ),
    "khac": (
        ("Phân bón hữu cơ vi sinh", "phân bón"), ("Nước rửa chén bồ hòn", "hóa mỹ phẩm"),
        ("Tinh dầu sả chanh", "tinh dầu"), ("Xà phòng thảo mộc", "xà phòng"), ("Nhang trầm", "nhang"),
        ("Than hoạt tính gáo dừa", "than gáo dừa"), ("Chổi đót", "chổi đót"),
        ("Giá thể xơ dừa", "xơ dừa"), ("Cao dược liệu", "dược liệu"), ("Muối tôm", "muối"),
    ),
}
# Place and brand words that make names distinct; not tied to any real business.
BRANDS = (
    "Phú An", "Tân Lộc", "Hòa Bình", "An Khang", "Thịnh Phát", "Bình Minh", "Hưng Thịnh", "Đồng Xanh",
    "Sông Quê", "Làng Việt", "Hồng Phúc", "Kim Ngân", "Thuận Thiên", "Mộc Lan", "Sơn Thủy", "Phúc Lộc",
    "Đại Nam", "Hải Đăng", "Tân Tiến", "Quê Hương", "Lam Sơn", "Hoa Sen", "Trường Xuân", "Vĩnh Hưng",
    "Ngọc Lan", "Thanh Tâm", "Minh Đức", "Hạnh Phúc", "Gia Bảo", "Xuân Mai", "Bảo Châu", "Đông Hải",
    "Tây Sơn", "Nam Phong", "Thiên Ân", "Cẩm Tú", "Hương Quê", "Lộc Điền", "Mỹ Hòa", "Phong Điền",
)
# Drawn (and its draw kept) only so that the seeded demo catalog stays as judged in
# tests/search/relevance_judgments.py; the names shown come from person_name().
PEOPLE = (
    "Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em", "Vũ Thị Giang",
    "Đặng Văn Hải", "Bùi Thị Hoa", "Đỗ Văn Khánh", "Hồ Thị Lan", "Ngô Văn Minh", "Dương Thị Nga",
)
# Realistic full names for household businesses: family name, middle name by sex, given name.
FAMILY_NAMES = (
    ("Nguyễn", 32), ("Trần", 11), ("Lê", 10), ("Phạm", 7), ("Hoàng", 5), ("Huỳnh", 4), ("Phan", 4),
    ("Vũ", 4), ("Võ", 4), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 2), ("Ngô", 2), ("Dương", 1),
    ("Lý", 1), ("Đinh", 1), ("Trương", 1), ("Lương", 1), ("Mai", 1),
)
MIDDLE_NAMES = {"nam": ("Văn", "Văn", "Hữu", "Đức", "Minh", "Quang", "Công", "Thành"),
                "nu": ("Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mỹ")}
GIVEN_NAMES = {
    "nam": ("Hùng", "Dũng", "Tuấn", "Hải", "Long", "Phúc", "Thắng", "Tâm", "Sơn", "Nam", "Khoa", "Bình",
            "Tài", "Lộc", "Hiếu", "Trung", "Quân", "Thịnh", "Đạt", "Vinh"),
    "nu": ("Hạnh", "Lan", "Hương", "Mai", "Hoa", "Nga", "Thảo", "Trang", "Hằng", "Yến", "Liên", "Dung",
           "Nhung", "Loan", "Phượng", "Tuyết", "Oanh", "Vân", "Hồng", "Xuân"),
}


_FAMILIES = tuple(family for family, _ in FAMILY_NAMES)
_FAMILY_CUMULATIVE = tuple(itertools.accumulate(weight for _, weight in FAMILY_NAMES))


def person_name(rng: random.Random) -> str:
    """A realistic Vietnamese full name (fictitious: any likeness to a real household is chance)."""
    family = rng.choices(_FAMILIES, cum_weights=_FAMILY_CUMULATIVE)[0]
    sex = rng.choice(("nam", "nu"))
    return f"{family} {rng.choice(MIDDLE_NAMES[sex])} {rng.choice(GIVEN_NAMES[sex])}"


LEGAL_FORMS = (
    ("Công ty TNHH", "Doanh nghiệp"), ("HTX", "Hợp tác xã"), ("Tổ hợp tác", "Tổ hợp tác"),
    ("Hộ kinh doanh", "Hộ kinh doanh"),
)
GROUP_SENTENCES: dict[str, str] = {
    "thu_cong_my_nghe": "Làm thủ công theo nghề truyền thống của làng, mẫu mã hợp với thị trường hôm nay.",
    "che_bien": "Chế biến từ nguyên liệu vùng trồng địa phương, đóng gói có nhãn mác và truy xuất nguồn gốc.",
    "co_khi": "Gia công trong xưởng cơ khí nông thôn, phục vụ sản xuất nông nghiệp của bà con.",
    "khac": "Sản phẩm tận dụng nguyên liệu sẵn có ở địa phương, thân thiện với môi trường.",
}
REVOCATION_REASONS = (
    "Sử dụng biểu trưng sai quy định (dữ liệu minh họa).",
    "Cơ sở ngừng sản xuất sản phẩm (dữ liệu minh họa).",
    "Sản phẩm không còn đáp ứng tiêu chí bình chọn (dữ liệu minh họa).",
)
# Real communes and wards (after 01/07/2025) of each current province, for the generated producers'
# addresses (with a visibly fictitious house number). None is a sample product's locality, a brand
# of BRANDS or a product word, so the judged searches of tests/search/relevance_judgments.py keep
# their answers.
COMMUNES: dict[str, tuple[str, ...]] = {
    "ha-noi": ("xã Bát Tràng", "xã Phú Xuyên", "xã Thường Tín", "xã Ứng Hòa"),
    "cao-bang": ("phường Thục Phán", "xã Trùng Khánh", "xã Quảng Uyên"),
    "tuyen-quang": ("phường Minh Xuân", "xã Hàm Yên", "xã Đồng Văn", "xã Chiêm Hóa"),
    "dien-bien": ("phường Mường Thanh", "xã Tuần Giáo", "xã Mường Ảng"),
    "lai-chau": ("phường Đoàn Kết", "xã Than Uyên", "xã Sìn Hồ"),
    "son-la": ("phường Tô Hiệu", "phường Mộc Châu", "xã Yên Châu"),
    "lao-cai": ("phường Sa Pa", "phường Nghĩa Lộ", "xã Bắc Hà", "xã Mù Cang Chải"),
    "thai-nguyen": ("phường Phổ Yên", "xã Đại Từ", "xã Định Hóa", "phường Bắc Kạn"),
    "lang-son": ("phường Lương Văn Tri", "xã Đồng Đăng", "xã Bắc Sơn", "xã Văn Quan"),
    "quang-ninh": ("phường Đông Triều", "xã Tiên Yên", "xã Bình Liêu", "đặc khu Vân Đồn"),
    "bac-ninh": ("phường Kinh Bắc", "phường Từ Sơn", "xã Phật Tích", "xã Lục Ngạn"),
    "phu-tho": ("phường Phong Châu", "xã Lâm Thao", "xã Cao Phong", "xã Mai Châu"),
    "hai-phong": ("phường Thủy Nguyên", "xã Tiên Lãng", "xã Vĩnh Bảo", "phường Chí Linh"),
    "hung-yen": ("phường Phố Hiến", "xã Khoái Châu", "xã Văn Giang", "xã Vũ Thư"),
    "ninh-binh": ("phường Hoa Lư", "xã Kim Sơn", "xã Gia Viễn", "xã Hải Hậu"),
    "thanh-hoa": ("phường Hạc Thành", "xã Hoằng Hóa", "xã Thọ Xuân", "xã Nga Sơn"),
    "nghe-an": ("phường Thành Vinh", "xã Diễn Châu", "xã Nam Đàn", "xã Quỳnh Lưu"),
    "ha-tinh": ("phường Thành Sen", "xã Can Lộc", "xã Hương Khê", "xã Nghi Xuân"),
    "quang-tri": ("phường Đồng Hới", "phường Đông Hà", "xã Phong Nha", "xã Vĩnh Linh"),
    "hue": ("phường Thuận Hóa", "phường Phú Xuân", "phường Kim Long", "xã Quảng Điền"),
    "da-nang": ("phường Hội An", "phường Hải Châu", "xã Đại Lộc", "xã Thăng Bình"),
    "quang-ngai": ("phường Cẩm Thành", "phường Kon Tum", "xã Mộ Đức", "đặc khu Lý Sơn"),
    "gia-lai": ("phường Pleiku", "phường An Nhơn", "xã Tuy Phước", "xã Phù Cát"),
    "khanh-hoa": ("phường Nha Trang", "phường Ninh Hòa", "xã Diên Khánh", "xã Cam Lâm"),
    "dak-lak": ("phường Buôn Ma Thuột", "phường Tuy Hòa", "xã Krông Pắc", "xã Ea Kar"),
    "lam-dong": ("phường Xuân Hương - Đà Lạt", "phường Phan Thiết", "phường Bắc Gia Nghĩa", "phường Mũi Né"),
    "dong-nai": ("phường Biên Hòa", "phường Long Khánh", "xã Long Thành", "phường Đồng Xoài"),
    "ho-chi-minh": ("phường Sài Gòn", "phường Thủ Dầu Một", "xã Củ Chi", "phường Bà Rịa"),
    "tay-ninh": ("phường Trảng Bàng", "phường Hòa Thành", "xã Cần Giuộc", "phường Long An"),
    "dong-thap": ("phường Mỹ Tho", "phường Sa Đéc", "xã Lai Vung", "xã Cái Bè"),
    "vinh-long": ("phường Long Châu", "phường Bến Tre", "xã Mỏ Cày", "xã Cầu Kè"),
    "an-giang": ("phường Long Xuyên", "phường Châu Đốc", "phường Rạch Giá", "xã Tri Tôn"),
    "can-tho": ("phường Ninh Kiều", "phường Cái Răng", "phường Sóc Trăng", "xã Kế Sách"),
    "ca-mau": ("phường An Xuyên", "phường Bạc Liêu", "xã Năm Căn", "xã Đầm Dơi"),
}
