"""axe-core in the browser: the pinned copy from node_modules, WCAG 2.0/2.1 A and AA rules only.

One helper for every browser test, so each page is judged by the same rules and a failure
names the rule, its help text and the offending elements instead of a bare `[] != [...]`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                      nodes: v.nodes.map(n => n.target.join(' '))}));
}"""


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run the pinned axe-core on the current page; the context must bypass CSP to inject it."""
    if not AXE_JS.is_file():
        pytest.fail("axe-core is missing: run `make node-deps` (npm ci)")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    violations: list[dict[str, Any]] = page.evaluate(RUN_AXE, WCAG_TAGS)
    return violations


def describe(violations: list[dict[str, Any]]) -> str:
    """One line per violated rule: id, impact, help and up to five offending selectors."""
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']} -> {v['nodes'][:5]}" for v in violations)


def assert_accessible(page: Page) -> None:
    """Fail with a readable list when axe finds any WCAG 2.1 A/AA violation on the current page."""
    violations = axe_violations(page)
    assert not violations, f"axe on {page.url}:\n{describe(violations)}"
