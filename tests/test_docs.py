"""The docs cannot drift from the code: every setting is in the README table and .env.example."""

from __future__ import annotations

import os
import re

import pytest

from app.config import PROJECT_DIR, Settings

README = PROJECT_DIR / "README.md"
ENV_EXAMPLE = PROJECT_DIR / ".env.example"
SETTINGS = sorted(f"CNNT_{name.upper()}" for name in Settings.model_fields)


def _settings_table(markdown: str) -> set[str]:
    """Variables named in the first cell of the table under the README's `## Settings` heading."""
    section = re.search(r"^## Settings\s*$(.*?)(?=^## |\Z)", markdown, re.M | re.S)
    assert section, "README.md has no `## Settings` section"
    rows = (line for line in section.group(1).splitlines() if line.startswith("|"))
    return {m.group(1) for row in rows if (m := re.match(r"\|\s*`?(CNNT_[A-Z_]+)`?\s*\|", row))}


def _env_example_names() -> set[str]:
    """Variables set (or shown commented out) in .env.example."""
    return set(re.findall(r"^#?\s*(CNNT_[A-Z_]+)=", ENV_EXAMPLE.read_text(encoding="utf-8"), re.M))


def test_every_setting_is_in_the_readme_settings_table() -> None:
    documented = _settings_table(README.read_text(encoding="utf-8"))
    assert sorted(set(SETTINGS) - documented) == []
    assert sorted(documented - set(SETTINGS)) == [], "the README documents settings that do not exist"


def test_every_setting_is_in_env_example() -> None:
    names = _env_example_names()
    assert sorted(set(SETTINGS) - names) == []
    assert sorted(names - set(SETTINGS)) == [], ".env.example names settings that do not exist"


def test_env_example_values_are_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("CNNT_"):
            monkeypatch.delenv(name)
    from_example = Settings(_env_file=ENV_EXAMPLE)
    defaults = Settings(_env_file=None)
    assert from_example == defaults


@pytest.mark.parametrize("command", ["make run", "make test"])
def test_readme_shows_the_two_commands(command: str) -> None:
    assert command in README.read_text(encoding="utf-8")
