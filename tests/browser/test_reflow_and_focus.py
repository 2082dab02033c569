"""What axe cannot see: reflow at 320 CSS pixels (WCAG 1.4.10) and a visible keyboard focus
(WCAG 2.4.7) on every Tab stop. Both need a real layout engine."""

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import OpenPage

_OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.body.querySelectorAll("*")]
    .filter((e) => e.getBoundingClientRect().right > width + 1 || e.scrollWidth > width)
    .filter((e) => !e.closest(".visually-hidden, .skip-link"))
    .slice(-5)
    .map((e) => e.outerHTML.slice(0, 120));
}"""

_FOCUS_STYLE = """() => {
  const e = document.activeElement;
  const style = getComputedStyle(e);
  return {
    element: e === document.body ? "" : e.outerHTML.slice(0, 100),
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
    shadow: style.boxShadow !== "none",
  };
}"""


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/", id="finder"),
        pytest.param("/?q=goteborg", id="results"),
        pytest.param("/office/kista/", id="office"),
        pytest.param("/book/", id="booking"),
        pytest.param("/queue/kista/", id="kiosk"),
    ],
)
def test_page__320_css_pixels_wide__no_horizontal_scrolling(open_page: OpenPage, path: str):
    page = open_page()
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(path)
    scroll = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert scroll <= 0, f"{path} scrolls sideways by {scroll}px: {page.evaluate(_OVERFLOWING)}"


def _tab_stops_without_indicator(page: Page, *, limit: int = 60) -> tuple[int, list[str]]:
    seen: set[str] = set()
    missing: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focus = page.evaluate(_FOCUS_STYLE)
        if not focus["element"] or focus["element"] in seen:
            break  # back at the start: every stop visited
        seen.add(focus["element"])
        if not (focus["outline"] or focus["shadow"]):
            missing.append(focus["element"])
    return len(seen), missing


@pytest.mark.parametrize(
    "path",
    ["/?q=goteborg", "/office/kista/", "/book/", "/queue/kista/"],
    ids=["results", "office", "booking", "kiosk"],
)
def test_page__every_tab_stop__shows_a_focus_indicator(page: Page, path: str):
    page.goto(path)
    stops, missing = _tab_stops_without_indicator(page)
    assert stops >= 3
    assert not missing, f"no visible focus on {path}: {missing}"
