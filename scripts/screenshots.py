"""Screenshots of the site on demo data for the README: home, catalog, product, producer, statistics and
verification, each at 390 px (a phone) and 1366 px (a laptop), written to docs/screenshots/.

Builds the demo catalog in a temporary CNNT_DATA_DIR and serves it with the benchmarks' harness
(scripts/bench.py), picks a real product that has a photo and a certificate valid today (as
scripts/lighthouse.py does), and photographs the top of each page (one screen high, as a reader first
sees it) in Debian's Chromium through Playwright.

    .venv/bin/python scripts/screenshots.py          (what `make screenshots` runs)
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import httpx
from bench import BenchError, build_demo, free_port, serve  # scripts/bench.py: same server harness
from lighthouse import CHROME, pick_pages  # scripts/lighthouse.py: the same real product and code
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
WIDTHS = {"phone": (390, 844), "desktop": (1366, 900)}


def pages(database: Path) -> list[tuple[str, str]]:
    """(name, path) of the six pages shown in the README."""
    by_label = dict(pick_pages(database))
    slug = by_label["product"].rsplit("/", 1)[-1]
    with sqlite3.connect(database) as conn:
        producer = conn.execute("SELECT pr.slug FROM producer pr JOIN product p ON p.producer_id = pr.id "
                                "WHERE p.slug = ?", (slug,)).fetchone()[0]
    return [("home", "/"), ("catalog", "/san-pham?q=banh+trang"), ("product", by_label["product"]),
            ("producer", f"/co-so/{producer}"), ("statistics", "/thong-ke"),
            ("verification", by_label["verification"])]


def shoot(out: Path) -> list[Path]:
    """Build, serve, photograph; the files written."""
    written = []
    with tempfile.TemporaryDirectory(prefix="cnnt-screenshots-") as tmp:
        data_dir = Path(tmp)
        port = free_port()
        env = build_demo(data_dir, demo=True)
        env["CNNT_BASE_URL"] = f"http://127.0.0.1:{port}"
        shown = pages(data_dir / "cnnt.sqlite3")
        with serve("app.asgi:app", env=env, cwd=data_dir, probe="/", port=port) as base, \
                sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROME),
                                                 args=["--no-sandbox", "--disable-gpu"])
            for kind, (width, height) in WIDTHS.items():
                page = browser.new_page(viewport={"width": width, "height": height}, locale="vi-VN",
                                        is_mobile=kind == "phone", device_scale_factor=1)
                for name, path in shown:
                    httpx.get(base + path, timeout=30).raise_for_status()  # a broken page fails here, plainly
                    page.goto(base + path, wait_until="networkidle")
                    target = out / f"{name}-{width}.png"
                    page.screenshot(path=str(target))
                    written.append(target)
                page.close()
            browser.close()
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Write the screenshots; 1 on any failure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder to write into (default {OUT})")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        written = shoot(args.out)
    except (BenchError, httpx.HTTPError, OSError) as exc:
        print(f"screenshots: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
