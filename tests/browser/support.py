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


def missing_browser() -> str:
    """Why the browser tests cannot run here ("" when they can)."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (make browser-deps, or apt-get install chromium)"
    if not AXE_SCRIPT.exists():
        return f"{AXE_SCRIPT.relative_to(ROOT)} is missing (run npm ci)"
    return ""


_RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {
    preload: false,
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


# Whether the page runs scripts (a context made with `java_script_enabled=False` does not):
# an HTML parser with scripting off reads the inside of <noscript> as elements, with
# scripting on as text (HTML, "parsing HTML fragments": the scripting flag).
_SCRIPTING = """() => {
  const probe = document.createElement("div");
  probe.innerHTML = "<noscript><i></i></noscript>";
  return probe.querySelector("noscript i") === null;
}"""

# On a page without scripting, `page.evaluate` still runs, and so do promises, but no timer
# ever fires, and axe.run waits for timers between its checks: the evaluate never returned
# and, as Playwright's evaluate has no timeout, the test hung (with the live server idle on
# its keep-alive connection). There, timers run as promise reactions instead (V8's own
# microtasks; Blink's `queueMicrotask` callbacks do not run without scripting either). The
# page's own scripts never ran, so nothing else sees the change.
_TIMERS_AS_MICROTASKS = """() => {
  window.setTimeout = (callback, delay, ...args) => {
    Promise.resolve().then(() => callback(...args));
    return 0;
  };
  window.clearTimeout = () => {};
}"""


_RUN_AXE_WITH_RULES = """async ([tags, rules]) => {
  const wanted = new Set(rules);
  const extra = axe.getRules().filter((r) => wanted.has(r.ruleId)).map((r) => r.ruleId);
  const tagged = axe.getRules(tags).map((r) => r.ruleId);
  const result = await axe.run(document, {
    preload: false,
    runOnly: {type: "rule", values: [...new Set([...tagged, ...extra])]},
    resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), html: n.html, fix: n.failureSummary})),
  }));
}"""


def axe_violations(page: Page, *, extra_rules: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Run axe-core's WCAG 2.1 A and AA rules on the page as it is now, with or without
    JavaScript (then axe's timers run as microtasks; see `_TIMERS_AS_MICROTASKS`), and the
    rules named in `extra_rules` (best practices such as "region", "page-has-heading-one")."""
    # Evaluated through the DevTools protocol, not a <script> tag: a Content-Security-Policy
    # on the page under test cannot block it, and the page's own markup is left untouched.
    if not page.evaluate(_SCRIPTING):
        page.evaluate(_TIMERS_AS_MICROTASKS)
    page.evaluate(f"() => {{ {_axe_source()}\n }}")
    if extra_rules:
        return list(page.evaluate(_RUN_AXE_WITH_RULES, [WCAG_21_AA, list(extra_rules)]))
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


# --- what axe does not see: computed text contrast of every visible control ----------------

# WCAG 2.1 relative luminance and contrast ratio (1.4.3): 4.5:1, or 3:1 for large text
# (at least 24 px, or 18.66 px bold). The colour behind a control is found by walking up
# its ancestors and compositing their background colours (alpha included) over white; a
# background image is not looked into (none of our controls has one). axe's own
# color-contrast rule misses buttons whose text and background come from different rules
# (it skipped the desk's white-on-white "Call" buttons), so this computes it itself.
_CONTRAST = """() => {
  function parse(c) {
    const m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return [0, 0, 0, 0];
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  }
  function over(top, bottom) {
    const a = top[3] + bottom[3] * (1 - top[3]);
    if (a === 0) return [0, 0, 0, 0];
    const mix = (i) => (top[i] * top[3] + bottom[i] * bottom[3] * (1 - top[3])) / a;
    return [mix(0), mix(1), mix(2), a];
  }
  function background(el) {
    const layers = [];
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const bg = parse(getComputedStyle(node).backgroundColor);
      if (bg[3] > 0) layers.push(bg);
      if (bg[3] >= 1) break;
    }
    let colour = [255, 255, 255, 1];
    for (let i = layers.length - 1; i >= 0; i--) colour = over(layers[i], colour);
    return colour;
  }
  function luminance(c) {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  }
  function visible(el) {
    const style = getComputedStyle(el);
    if (style.visibility !== "visible" || style.display === "none" || Number(style.opacity) === 0) return false;
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) return false;  // visually hidden text
    return el.getClientRects().length > 0;
  }
  const controls = document.querySelectorAll(
    "a[href], button, input:not([type=hidden]), select, textarea, summary, label, [role=button]");
  const failures = [];
  for (const el of controls) {
    if (!visible(el) || el.disabled) continue;
    const text = (el.value !== undefined && el.tagName === "INPUT" ? el.value : el.innerText || "").trim();
    if (!text && el.tagName !== "SELECT") continue;
    const style = getComputedStyle(el);
    const bg = background(el);
    const fg = over(parse(style.color), bg);
    const [l1, l2] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
    const ratio = (l1 + 0.05) / (l2 + 0.05);
    const size = parseFloat(style.fontSize);
    const bold = Number(style.fontWeight) >= 700;
    const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < needed) {
      failures.push(`${el.tagName.toLowerCase()} "${text.slice(0, 40)}": ${ratio.toFixed(2)}:1 ` +
        `(needs ${needed}:1; text ${style.color} on ${bg.map(Math.round).join(",")})`);
    }
  }
  return failures;
}"""


def contrast_failures(page: Page) -> list[str]:
    """Visible controls (links, buttons, fields, labels, summaries) whose text contrast is
    below WCAG 2.1 AA, computed from the browser's computed styles."""
    return list(page.evaluate(_CONTRAST))


def assert_readable_controls(page: Page) -> None:
    failures = contrast_failures(page)
    assert not failures, f"text contrast below WCAG AA on {page.url}:\n" + "\n".join(failures)


def assert_fits_width(page: Page, width: int) -> None:
    """Nothing makes the page scroll sideways at `width` CSS px."""
    scroll = int(page.evaluate("document.documentElement.scrollWidth"))
    assert scroll <= width, f"{page.url} is {scroll} px wide at a {width} px window"


def wrapped_cells(page: Page, selector: str) -> list[str]:
    """Cells under `selector` whose visible text wraps onto a second line (text meant for
    screen readers only, in `.visually-hidden`, is left out)."""
    return list(
        page.evaluate(
            """(selector) => {
              const out = [];
              for (const cell of document.querySelectorAll(selector)) {
                const rects = [];
                const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
                for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                  if (!node.textContent.trim() || node.parentElement.closest(".visually-hidden")) continue;
                  const range = document.createRange();
                  range.selectNodeContents(node);
                  rects.push(...[...range.getClientRects()].filter(r => r.width > 0));
                }
                rects.sort((a, b) => a.top - b.top);
                let lines = 0, bottom = -Infinity;
                for (const r of rects) {
                  if (r.top >= bottom - 2) { lines += 1; bottom = r.bottom; }
                  else bottom = Math.max(bottom, r.bottom);
                }
                if (lines > 1) out.push(cell.innerText.trim());
              }
              return out;
            }""",
            selector,
        )
    )
