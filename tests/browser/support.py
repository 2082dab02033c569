"""Helpers for the browser tests: the axe-core check and keyboard-only navigation."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

_RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), html: n.html, fix: n.failureSummary})),
  }));
}"""


@cache
def _axe_source() -> str:
    return AXE_SCRIPT.read_text(encoding="utf-8")


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core's WCAG 2.1 A and AA rules on the page as it is now."""
    # Evaluated through the DevTools protocol, not a <script> tag: a Content-Security-Policy
    # on the page under test cannot block it, and the page's own markup is left untouched.
    page.evaluate(f"() => {{ {_axe_source()}\n }}")
    return list(page.evaluate(_RUN_AXE, WCAG_21_AA))


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"  at {node['target']}: {node['html']}")
            lines.append("    " + node["fix"].replace("\n", "\n    "))
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert not violations, f"WCAG 2.1 AA violations on {page.url}:\n{describe(violations)}"


def is_focused(locator: Locator) -> bool:
    return bool(locator.evaluate("element => element === document.activeElement"))


def tab_to(page: Page, target: Locator, *, limit: int = 80) -> int:
    """Press Tab until `target` has the focus; the number of presses. Fails if never reached.

    Reaching an element this way proves it is in the keyboard order, which a click or
    `locator.focus()` would not.
    """
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if is_focused(target):
            return presses
    raise AssertionError(f"{target} not reached with {limit} presses of Tab on {page.url}")
