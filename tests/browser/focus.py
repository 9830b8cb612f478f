"""Keyboard focus as a user sees it: where Tab goes, whether the focused control shows a ring that
stands out (WCAG 1.4.11: 3:1 against its surroundings) and is on screen, and whether focus moves in
page order (WCAG 2.4.3, 2.4.7)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import JSHandle, Locator, Page

MAX_TABS = 200
FOCUS_STATE = (Path(__file__).parent / "focus_state.js").read_text(encoding="utf-8")
FOLLOWS = "([a, b]) => Boolean(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING)"
ON_PAGE = "el => el !== null && el !== document.body && el !== document.documentElement"


def focus_state(page: Page) -> dict[str, Any]:
    """The focused element as the user sees it (see focus_state.js)."""
    state: dict[str, Any] = page.evaluate_handle("document.activeElement").evaluate(FOCUS_STATE)
    return state


def assert_focus_shown(page: Page) -> None:
    """The focused element is in view and draws a focus ring of at least 3:1 against its surroundings."""
    state = focus_state(page)
    assert state["ring"] and state["inView"] and state["contrast"] >= 3, state


def _press(page: Page, key: str, previous: JSHandle) -> JSHandle:
    """Press `key`; the new focus shows and, if focus was on the page, comes next in page order."""
    page.keyboard.press(key)
    current = page.evaluate_handle("document.activeElement")
    if not current.evaluate(ON_PAGE):
        return current
    assert_focus_shown(page)
    if previous.evaluate(ON_PAGE):
        first, second = (current, previous) if key == "Shift+Tab" else (previous, current)
        assert page.evaluate(FOLLOWS, [first, second]), (focus_state(page), "out of page order")
    return current


def tab_to(page: Page, target: Locator, *, backwards: bool = False) -> int:
    """Press Tab (Shift+Tab) until `target` has focus, checking every stop on the way (see `_press`).
    Return the number of key presses."""
    key = "Shift+Tab" if backwards else "Tab"
    current = page.evaluate_handle("document.activeElement")
    for presses in range(1, MAX_TABS + 1):
        current = _press(page, key, current)
        if target.evaluate("el => el === document.activeElement"):
            return presses
    raise AssertionError(f"{target} not reached with {MAX_TABS} presses of {key}; last: {focus_state(page)}")


def tab_through(page: Page) -> int:
    """Tab from the top of the page until focus leaves it, checking every stop; return how many there were."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    current = page.evaluate_handle("document.activeElement")
    for stops in range(MAX_TABS):
        current = _press(page, "Tab", current)
        if not current.evaluate(ON_PAGE):
            return stops
    raise AssertionError(f"focus still on the page after {MAX_TABS} presses of Tab: {focus_state(page)}")


# On every focus, whether htmx listens to the control's data-hx-get/data-hx-post element by the time the
# script that moved focus has finished (a microtask later), which is before any key press can reach it. One
# that takes a key press unwired goes through as a full page load (see defaultSettleDelay in base.html). htmx
# keeps its listeners in the element's "htmx-internal-data"; if a new htmx renames that, this reads "not
# wired" and the tests fail loudly rather than pass blindly.
_WATCH_WIRING = """
window.focusWiring = [];
document.addEventListener("focusin", (event) => {
  const owner = event.target.closest("[data-hx-get], [data-hx-post]");
  if (!owner) { return; }
  const entry = {control: event.target.outerHTML.slice(0, 120), wired: false};
  window.focusWiring.push(entry);
  queueMicrotask(() => { entry.wired = Boolean(owner["htmx-internal-data"]?.listenerInfos?.length); });
});
"""


def watch_htmx_wiring(page: Page) -> None:
    """From the next page load on, note for every focused htmx control whether htmx listened to it yet."""
    page.add_init_script(_WATCH_WIRING)


def assert_focus_was_wired(page: Page, *, at_least: int) -> None:
    """Every htmx control focused on this page so far was wired up when it took focus."""
    wiring: list[dict[str, Any]] = page.evaluate("window.focusWiring")
    assert len(wiring) >= at_least, wiring
    unwired = [entry["control"] for entry in wiring if not entry["wired"]]
    assert not unwired, f"focused before htmx listened to it: {unwired}"
