"""E-mail text from templates: `mail/<name>.txt` (plain text, with the subject) and `mail/<name>.html`.

The subject is the `{% block subject %}` of the text template (one line; whitespace squashed), so a
message's words live in two files side by side. Both extend a shared layout (`mail/_layout.txt`,
`mail/_layout.html`) that signs with the site's name and address. HTML is autoescaped; the text
part is not (it is never read as markup). The site's address comes from `configure_mail`, called
by the app factory and the CLI with the settings, as the page templates get theirs.
"""

from __future__ import annotations

from dataclasses import dataclass

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from app.config import PACKAGE_DIR

SITE_NAME = "CNNT — Sản phẩm công nghiệp nông thôn tiêu biểu"
# One environment for every message; StrictUndefined: a context key missing is an error, not a blank.
mail_env = Environment(
    loader=FileSystemLoader(PACKAGE_DIR / "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
mail_env.globals.update(site_name=SITE_NAME, base_url="http://127.0.0.1:8000")


@dataclass(frozen=True, slots=True)
class RenderedMail:
    """A message's subject, plain text and HTML, as queued."""

    subject: str
    text: str
    html: str


def configure_mail(*, base_url: str) -> None:
    """Set the site address every message's footer and links use (CNNT_BASE_URL)."""
    mail_env.globals["base_url"] = base_url.rstrip("/")


def render_mail(template: str, context: dict[str, object]) -> RenderedMail:
    """Render `mail/<template>.txt` and `.html`; the subject is the text template's `subject` block."""
    text_template = mail_env.get_template(f"mail/{template}.txt")
    html_template = mail_env.get_template(f"mail/{template}.html")
    subject_block = text_template.blocks.get("subject")
    if subject_block is None:
        raise ValueError(f"mail/{template}.txt has no {{% block subject %}}")
    subject = " ".join("".join(subject_block(text_template.new_context(dict(context)))).split())
    if not subject:
        raise ValueError(f"mail/{template}.txt renders an empty subject")
    return RenderedMail(subject=subject, text=text_template.render(context),
                        html=html_template.render(context))
