"""Template conventions stay: short lines, form field errors only through the _macros.html pair, and htmx
attributes spelt data-hx-* (valid HTML: the W3C Nu checker rejects a bare hx-*)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from app.web.templating import configure_templates, templates

TEMPLATES = Path(__file__).resolve().parent.parent / "app" / "templates"
HTML_TEMPLATES = sorted(TEMPLATES.rglob("*.html"))
MAX_LINE = 160
MACROS = TEMPLATES / "_macros.html"
STATIC = TEMPLATES.parent / "static"
# The site's own scripts (not the vendored htmx), which may select or set htmx attributes.
SITE_SCRIPTS = sorted(p for p in STATIC.glob("*.js") if not p.name.startswith("htmx-"))
# An htmx attribute, in markup or in a selector, not spelt data-hx-*; Jinja comments are left out.
BARE_HX = re.compile(r"(?<![\w-])hx-[a-z]+(?:-[a-z]+)*")
JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.DOTALL)

# Field error markup written by hand instead of field_error/field_aria, each with what to use instead.
HAND_WRITTEN_ERRORS = [
    (re.compile(r"aria-invalid"), "field_aria(errors, name) sets aria-invalid"),
    (re.compile(r'(?<![\w-])class="[^"]*\b(field-error|report-error|photo-field-error|verify-form__error)\b'),
     "field_error(errors, name, extra_class=...) renders the message"),
    (re.compile(r'\bid="error-|(?:id|aria-describedby)="[^"]*-error\b'),
     "field_error gives the message the id <name>-error and field_aria points at it"),
    (re.compile(r'visually-hidden">\s*(Lỗi|\{\{ _\("Lỗi)'), "field_error adds the screen-reader prefix"),
]
# Notices about a whole form, not one field: a failed sign-in, a batch that cannot be published.
FORM_NOTICES = {"login-error", "publish-error"}


def _relative(path: Path) -> str:
    return str(path.relative_to(TEMPLATES))


def _in_app(path: Path) -> str:
    return str(path.relative_to(TEMPLATES.parent))


@pytest.mark.parametrize("path", HTML_TEMPLATES, ids=_relative)
def test_no_template_line_is_longer_than_160_characters(path: Path) -> None:
    long = [f"{_relative(path)}:{number}: {len(line)} characters"
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
            if len(line) > MAX_LINE]
    assert long == [], "wrap at natural places (between attributes, after {% %} tags, with {%- -%})"


@pytest.mark.parametrize("path", [p for p in HTML_TEMPLATES if p != MACROS], ids=_relative)
def test_field_errors_are_rendered_only_by_the_macros(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    found = []
    for pattern, advice in HAND_WRITTEN_ERRORS:
        for match in pattern.finditer(text):
            if not any(notice in text[match.start():match.end() + 20] for notice in FORM_NOTICES):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{_relative(path)}:{line}: {match.group(0)!r}: {advice}")
    assert found == []


@pytest.mark.parametrize("path", HTML_TEMPLATES + SITE_SCRIPTS, ids=_in_app)
def test_htmx_attributes_are_spelt_data_hx(path: Path) -> None:
    """A bare hx-* is invalid HTML (and a selector for one misses the data-hx-* markup)."""
    text = JINJA_COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), path.read_text(encoding="utf-8"))
    found = [f"{_in_app(path)}:{text.count(chr(10), 0, m.start()) + 1}: {m.group(0)}"
             for m in BARE_HX.finditer(text)]
    assert found == [], "spell htmx attributes data-hx-* (htmx 2 reads both; only data-* is valid HTML)"


def _render(source: str) -> BeautifulSoup:
    """Render with the site's filters and globals, as create_app installs them (whatever ran before)."""
    configure_templates(templates)
    return BeautifulSoup(templates.env.from_string(source).render(), "html.parser")


def test_field_error_and_field_aria_share_one_id_scheme() -> None:
    soup = _render('{% from "_macros.html" import field_error, field_aria %}'
                   '{{ field_error({"ma": "Cần nhập mã"}, "ma", extra_class="report-error", alert=True) }}'
                   '<input id="field-ma"{{ field_aria({"ma": "Cần nhập mã"}, "ma", hint="hint-ma") }}>')
    error = soup.select_one("p#ma-error")
    assert error is not None and error["role"] == "alert"
    assert error["class"] == ["field-error", "report-error"]
    assert error.get_text() == "Lỗi: Cần nhập mã"
    prefix = error.select_one("span.visually-hidden")
    assert prefix is not None and prefix.get_text() == "Lỗi: "
    field = soup.select_one("input")
    assert field is not None and field["aria-invalid"] == "true"
    assert str(field["aria-describedby"]).split() == ["hint-ma", "ma-error"]


def test_no_error_renders_nothing_but_the_hint() -> None:
    soup = _render('{% from "_macros.html" import field_error, field_aria %}'
                   '{{ field_error({}, "ma") }}{{ field_error(none, "ma") }}'
                   '<input id="a"{{ field_aria({"ma": ""}, "ma", hint="hint-ma") }}>'
                   '<input id="b"{{ field_aria({}, "ma") }}>')
    assert soup.select("p") == []
    first, second = soup.select("input")
    assert first.attrs == {"id": "a", "aria-describedby": "hint-ma"}
    assert second.attrs == {"id": "b"}
