"""Re-extract the product illustrations from the OpenMoji npm tarball: reproducible vendoring.

OpenMoji (not Twemoji) because its line style is calm and uniform, and the set is actively kept
by a university lab (HfG Schwäbisch Gmünd) with a clear licence, CC BY-SA 4.0, stated in the
package. Only the SVG files the kinds of app/domain/illustrations.py use are copied to
app/static/illustrations/openmoji/, with the set's LICENSE.txt and a CREDITS.md listing each kind's
emoji. Each SVG is also rendered once to a 480 px PNG (app/static/illustrations/png/), from which
Pillow composes the 1200×630 og:image card at run time: social sites take no SVG, and no SVG
renderer is needed by the site itself.

The tarball is not a dependency of package.json (11,000 files for 30): pass it, or let the script
fetch it with `npm pack`; its sha512 (the registry's integrity) is checked either way. Rendering
needs cairosvg (PyPI, LGPL; it uses the system's libcairo), only here:

    python -m venv /tmp/vendor && /tmp/vendor/bin/pip install cairosvg==2.9.1
    PYTHONPATH=. /tmp/vendor/bin/python scripts/vendor_illustrations.py [openmoji-17.0.0.tgz]
"""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from app.domain.illustrations import ALL_KINDS, BY_CODE, GROUP_KINDS

PACKAGE = "openmoji@17.0.0"
TARBALL_URL = "https://registry.npmjs.org/openmoji/-/openmoji-17.0.0.tgz"
INTEGRITY = "sha512-EBnYrNGdcdw+OSXmENeNE1yBNRu6tOraTmoOyUbJkTmvT/+XETp8RZLSJFzD3lrPc5N9CzsyPnRTk0Vp4UaI9w=="
PNG_SIZE = 480
ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "app" / "static" / "illustrations"


def _integrity(path: Path) -> str:
    """The npm integrity string (sha512, base64) of a file."""
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def _tarball(folder: Path) -> Path:
    """The package tarball, fetched with `npm pack` into `folder`."""
    subprocess.run(["npm", "pack", PACKAGE, "--pack-destination", str(folder)],  # noqa: S603, S607 - fixed args
                   check=True, capture_output=True)
    return folder / "openmoji-17.0.0.tgz"


def _credits() -> str:
    """CREDITS.md: the set, its version and licence, and which emoji each kind uses."""
    lines = [
        "# Product illustrations",
        "",
        "All emoji designs: [OpenMoji](https://openmoji.org/), the open-source emoji and icon project,",
        f"npm package `{PACKAGE}` ({TARBALL_URL}),",
        "licensed under [CC BY-SA 4.0](https://creativecommons.org/licenses/by-sa/4.0/) (`LICENSE.txt`).",
        "The SVG files are unchanged; `png/` holds them rendered at 480 px by",
        "`scripts/vendor_illustrations.py`, which re-extracts everything here from the tarball.",
        "The site shows them on a plain coloured card labelled \"Hình minh họa\" (\"Illustration\")",
        "for products without a photo; the cards are shared under the same licence.",
        "",
        "| kind | emoji | codepoint | file |",
        "| --- | --- | --- | --- |",
    ]
    fallbacks = {k.code for k in GROUP_KINDS.values()}
    for kind in ALL_KINDS:
        emoji = "".join(chr(int(part, 16)) for part in kind.codepoint.split("-"))
        note = " (group fallback)" if kind.code in fallbacks else ""
        lines.append(f"| {kind.code}: {kind.label}{note} | {emoji} | U+{kind.codepoint} | "
                     f"`openmoji/{kind.codepoint}.svg` |")
    return "\n".join(lines) + "\n"


def vendor(tarball: Path) -> None:
    """Check the tarball, copy the SVGs used and the licence, render the PNGs, write CREDITS.md."""
    import cairosvg  # type: ignore[import-not-found]  # noqa: PLC0415 - only the vendoring needs it

    if _integrity(tarball) != INTEGRITY:
        raise SystemExit(f"{tarball}: integrity differs from {INTEGRITY}")
    (TARGET / "openmoji").mkdir(parents=True, exist_ok=True)
    (TARGET / "png").mkdir(parents=True, exist_ok=True)
    wanted = {kind.codepoint for kind in BY_CODE.values()}
    with tarfile.open(tarball) as tar:
        (TARGET / "LICENSE.txt").write_bytes(_read(tar, "package/LICENSE.txt"))
        for codepoint in sorted(wanted):
            svg = _read(tar, f"package/color/svg/{codepoint}.svg")
            (TARGET / "openmoji" / f"{codepoint}.svg").write_bytes(svg)
            cairosvg.svg2png(bytestring=svg, write_to=str(TARGET / "png" / f"{codepoint}.png"),
                             output_width=PNG_SIZE, output_height=PNG_SIZE)
    (TARGET / "CREDITS.md").write_text(_credits(), encoding="utf-8")


def _read(tar: tarfile.TarFile, name: str) -> bytes:
    """One member's bytes."""
    member = tar.extractfile(name)
    if member is None:
        raise SystemExit(f"{name} is not in the tarball")
    return member.read()


def main() -> None:
    """Vendor from the tarball given, or from one `npm pack` fetches."""
    if len(sys.argv) > 1:
        vendor(Path(sys.argv[1]))
        return
    with tempfile.TemporaryDirectory() as folder:
        vendor(_tarball(Path(folder)))


if __name__ == "__main__":
    main()
