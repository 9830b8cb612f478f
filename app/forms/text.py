"""Cleaning typed form text, shared by every form: one rule for what is kept.

Control characters are dropped (PostgreSQL refuses NUL; the others are never meant), tabs,
line breaks and carriage returns survive until the line rules below decide.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from app.domain.text import drop_controls

_SPACES = re.compile(r"\s+")


def one_line(value: str) -> str:
    """Control characters dropped, runs of whitespace made one space, trimmed."""
    return _SPACES.sub(" ", drop_controls(value)).strip()


def multi_line(value: str) -> str:
    """Control characters dropped, line breaks kept as \\n, outer whitespace trimmed."""
    return drop_controls(value.replace("\r\n", "\n").replace("\r", "\n")).strip()


def text_fields(data: Mapping[str, object], names: tuple[str, ...]) -> dict[str, str]:
    """The named text fields as typed (files and unknown names ignored)."""
    return {name: value for name in names if isinstance(value := data.get(name, ""), str)}
