"""Write one measured section of BENCHMARKS.md, leaving the other sections as they are.

Each script owns a section between `<!-- NAME:start -->` and `<!-- NAME:end -->`; a missing
section is appended under its heading.
"""

from __future__ import annotations

from pathlib import Path


def markers(name: str) -> tuple[str, str]:
    """The start and end markers of section `name`."""
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


def write_section(path: Path, name: str, body: str, *, heading: str) -> None:
    """Replace section `name` of `path` with `body` (appended under `heading` when missing)."""
    start, end = markers(name)
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if start in text and end in text:
        head, _, rest = text.partition(start)
        _, _, tail = rest.partition(end)
        text = f"{head}{start}\n{body}\n{end}{tail}"
    else:
        text = text.rstrip("\n") + f"\n\n## {heading}\n\n{start}\n{body}\n{end}\n"
    path.write_text(text, encoding="utf-8")
