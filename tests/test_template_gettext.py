"""`_()` in templates answers exactly what Jinja's newstyle gettext answers, in every language.

app/web/templating.py keeps each message's translation (a cold catalog page asks for ~70); these
render the same sources with Jinja's own callables and with the site's, with autoescaping on
(pages) and off (plain-text mail), with variables to escape and a literal `%%`.
"""

from __future__ import annotations

import pytest
from jinja2 import Environment

from app.i18n import LANGUAGES, gettext, ngettext, speaking
from app.web.templating import configure_templates, templates

SOURCES = (
    '{{ _("Tìm kiếm") }}',
    '{{ _("Trang %(page)s/%(pages)s", page=2, pages=3) }}',
    '{{ _("cho “%(text)s”", text="<b>gốm & sứ</b>") }}',
    '{{ _("100%% tự nhiên") }}',
    '{{ gettext("Tìm kiếm") }} {{ _(label) }}',
)


def _jinja_own(autoescape: bool) -> Environment:
    """Jinja's i18n extension with its own newstyle callables, as the site had them."""
    env = Environment(autoescape=autoescape, extensions=["jinja2.ext.i18n"])  # noqa: S701 - both ways compared
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    return env


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("autoescape", [True, False])
def test_the_kept_messages_are_jinjas_answers(lang: str, autoescape: bool) -> None:
    configure_templates(templates)
    site = templates.env.overlay(autoescape=autoescape)
    reference = _jinja_own(autoescape)
    with speaking(lang):
        for _ in range(2):  # the second time from what was kept
            for source in SOURCES:
                context = {"label": "Còn hiệu lực"}
                expected = reference.from_string(source).render(context)
                assert site.from_string(source).render(context) == expected


def test_a_kept_message_follows_the_page_language() -> None:
    configure_templates(templates)
    template = templates.env.from_string('{{ _("Tìm kiếm") }} {{ _("cho “%(text)s”", text="<b>") }}')
    answers = {"vi": "Tìm kiếm cho “&lt;b&gt;”", "en": "Search for “&lt;b&gt;”"}
    for lang in ("vi", "en", "vi"):  # each language's messages kept apart
        with speaking(lang):
            assert template.render() == answers[lang]
