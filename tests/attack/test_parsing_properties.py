"""Properties of the importer's value parsers and of text folding, on hostile input.

Adds to tests/domain (which covers well-formed cells): every value a spreadsheet reader can
hand over, including what only a crafted file holds (integers too large for a float, control
characters, names the file system refuses), gives a value or a ParseError whose message is
Vietnamese and short, never another exception. Clean values keep their promises.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain import parsing as p
from app.domain.text import fold
from app.services.imports.validate import resolve_image_path
from search.embedded import EmbeddedEngine
from search.engine import SearchQuery
from tests.attack.poison import ATTRIBUTE, CLOSE_SCRIPT, SCRIPT, TEMPLATE
from tests.search.contract_data import make_doc

MAX_MESSAGE = 400
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
VIETNAMESE_LOWER = "aàảãáạăằẳẵắặâầẩẫấậbcdđeèẻẽéẹêềểễếệghiìỉĩíịklmnoòỏõóọôồổỗốộơờởỡớợpqrstuùủũúụưừửữứựvxyỳỷỹýỵ"
VIETNAMESE = VIETNAMESE_LOWER + VIETNAMESE_LOWER.upper()
HOSTILE_TEXT = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=200, max_size=6000),
    st.text(alphabet="\x00\x01\x07\x0b\x1b\x7f\t\r\n \u200f\u202e\ue000\ue001=+-@/\\.:;,|", max_size=40),
    st.sampled_from([SCRIPT, ATTRIBUTE, CLOSE_SCRIPT, TEMPLATE, "javascript:alert(1)", "../../etc/passwd",
                     "1e400", "9" * 400, "-0", "NaN", "00/00/0000", "29/02/2023", "2023-02-29T25:61"]),
)
# Everything openpyxl or the CSV reader can return, and more: integers a crafted .xlsx can hold.
HOSTILE_CELLS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True), st.datetimes(), st.dates(), st.times(), HOSTILE_TEXT,
)
PARSERS: dict[str, Callable[[object], object]] = {
    "date": p.parse_date, "level": p.parse_level_value, "group": p.parse_group_value,
    "region": p.parse_region_value, "province": p.parse_province_value, "score": p.parse_score,
    "email": p.parse_email, "website": p.parse_website, "phone": p.parse_phone,
    "legal_form": p.parse_legal_form, "images": p.parse_image_list,
    "text": lambda v: p.clean_text(v, max_length=300),
    "description": lambda v: p.clean_multiline(v, max_length=5000),
}


def _is_vietnamese(message: str) -> bool:
    """A message written in Vietnamese carries diacritics: folding changes it."""
    return fold(message) != message.lower()


@pytest.fixture(scope="module")
def sheet_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A spreadsheet's folder holding one photo file, and a secret beside it."""
    folder = tmp_path_factory.mktemp("sheet")
    (folder / "anh.jpg").write_bytes(b"\xff\xd8 jpeg")
    (folder.parent / "secret.txt").write_text("outside")
    return folder


@given(cell=HOSTILE_CELLS, column=st.sampled_from(sorted(PARSERS)))
def test_parsers_give_a_value_or_a_short_vietnamese_parse_error(cell: object, column: str) -> None:
    try:
        PARSERS[column](cell)
    except p.ParseError as error:
        assert error.message and len(error.message) <= MAX_MESSAGE and _is_vietnamese(error.message)


@given(name=HOSTILE_TEXT)
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_photo_names_resolve_inside_the_folder_or_fail_clearly(name: str, sheet_folder: Path) -> None:
    try:
        found = resolve_image_path(name, sheet_folder)
    except p.ParseError as error:
        assert len(error.message) <= MAX_MESSAGE and _is_vietnamese(error.message)
    else:
        assert found.is_relative_to(sheet_folder.resolve()) and found.is_file()


@given(cell=HOSTILE_TEXT, limit=st.integers(min_value=1, max_value=400))
def test_cleaned_text_is_trimmed_single_spaced_and_free_of_control_characters(cell: str, limit: int) -> None:
    try:
        text = p.clean_text(cell, max_length=limit)
    except p.ParseError:
        assert len(p.cell_text(cell)) > limit
        return
    if text is not None:
        assert len(text) <= limit and text == text.strip() and "  " not in text
        assert not CONTROL.search(text) and "\n" not in text and "\t" not in text
    description = p.clean_multiline(cell, max_length=10_000)
    if description is not None:
        assert not CONTROL.search(description) and description == description.strip()


@given(cell=HOSTILE_TEXT)
def test_contacts_that_parse_are_safe_to_link(cell: str) -> None:
    try:
        website = p.parse_website(cell)
    except p.ParseError:
        pass
    else:
        parts = urlsplit(website)
        assert parts.scheme in {"http", "https"} and parts.hostname and not re.search(r"\s", website)
    try:
        email = p.parse_email(cell)
    except p.ParseError:
        pass
    else:
        assert email.count("@") == 1 and not re.search(r"[\s,;]", email)


@given(st.text())
def test_fold_is_idempotent_lowercase_and_never_longer(text: str) -> None:
    once = fold(text)
    assert fold(once) == once and once == once.lower()
    assert len(once) <= len(text)
    assert not any(unicodedata.combining(ch) for ch in once)


@given(st.text(alphabet=VIETNAMESE + " 0123456789-"))
def test_fold_makes_vietnamese_ascii_and_maps_d_with_stroke_to_d(text: str) -> None:
    folded = fold(text)
    assert folded.isascii() and len(folded) == len(text)
    assert [i for i, ch in enumerate(text) if ch in "đĐ"] == [i for i, ch in enumerate(folded)
                                                              if ch == "d" and text[i] in "đĐ"]


WORDS = st.text(alphabet=VIETNAMESE, min_size=2, max_size=9)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedEngine]:
    """The embedded engine in a file of its own, for the whole module."""
    opened = EmbeddedEngine(tmp_path_factory.mktemp("fold") / "index.sqlite3")
    yield opened
    opened.close()


@given(words=st.lists(WORDS, min_size=1, max_size=5))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_searching_the_folded_name_finds_the_product(words: list[str], engine: EmbeddedEngine) -> None:
    name = " ".join(words)
    engine.clear()
    engine.upsert([make_doc(1, name), make_doc(2, "Sản phẩm khác hẳn")])
    today = date(2025, 1, 1)
    for typed in (fold(name), name, name.upper()):
        hits = engine.search(SearchQuery(today=today, text=typed)).hits
        assert [hit.document["id"] for hit in hits][:1] == [1], typed
