"""The W3C Nu HTML Checker, run once over a folder of saved pages.

`make html-deps` installs what it needs: Java from Debian (`default-jre-headless`, only when no
`java` is on the PATH) and the checker itself, the npm package `vnu-jar` pinned in
package-lock.json (`npm ci` installs it into node_modules/). A missing Java or jar fails the
test that asks for the checker, with how to install it: a skipped check would prove nothing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from app.config import PROJECT_DIR

VNU_JAR = PROJECT_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHECK_TIMEOUT_S = 600
# The checker is a JVM: a small heap is plenty for a few dozen pages and leaves the machine's memory alone.
JAVA_OPTIONS = ("-Xss8m", "-Xmx1g")


@dataclass(frozen=True, slots=True)
class NuMessage:
    """One error the checker reported: the file's name (the page), where, what, and the markup around it."""

    page: str
    line: int
    column: int
    message: str
    extract: str

    def __str__(self) -> str:
        return f"  {self.line}:{self.column}: {self.message}\n      {self.extract.strip()[:160]!r}"


def checker_command() -> list[str]:
    """`java -jar vnu.jar`, or a test failure naming what is missing and how to install it."""
    java = shutil.which("java")
    if java is None:
        pytest.fail("java is missing: `make html-deps` installs Debian's default-jre-headless "
                    "(or `apt-get install default-jre-headless`)", pytrace=False)
    if not VNU_JAR.is_file():
        pytest.fail(f"{VNU_JAR} is missing: `make html-deps` installs the pinned vnu-jar "
                    "(`npm ci --ignore-scripts`, package-lock.json)", pytrace=False)
    return [java, *JAVA_OPTIONS, "-jar", str(VNU_JAR)]


def check_html(files: list[Path]) -> list[NuMessage]:
    """Every error in `files`, from one run of the checker (one JVM start: it takes seconds)."""
    command = [*checker_command(), "--errors-only", "--format", "json", *map(str, files)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=CHECK_TIMEOUT_S, check=False)  # noqa: S603
    try:
        report = json.loads(done.stderr or done.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"the Nu checker gave no JSON report (exit {done.returncode}):\n"
                    f"{done.stderr[-2000:]}{done.stdout[-2000:]}", pytrace=False)
    return [_message(item) for item in report.get("messages", []) if item.get("type") != "info"]


def _message(item: dict[str, object]) -> NuMessage:
    """A message of the checker's JSON report, its file named by the file's stem."""
    page = Path(unquote(urlparse(str(item.get("url", ""))).path)).stem
    line, column = int(str(item.get("lastLine", 0))), int(str(item.get("firstColumn", 0)))
    return NuMessage(page=page, line=line, column=column, message=str(item.get("message", "")),
                     extract=str(item.get("extract", "")))


def by_page(messages: list[NuMessage]) -> str:
    """The errors grouped by page, for a failure message."""
    grouped: dict[str, list[NuMessage]] = defaultdict(list)
    for message in messages:
        grouped[message.page].append(message)
    return "\n".join(f"{page} ({len(found)} errors):\n" + "\n".join(map(str, found))
                     for page, found in sorted(grouped.items()))
