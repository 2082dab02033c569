"""The office finder and the office page in a real browser: keyboard, no JavaScript, WCAG."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import (
    assert_accessible,
    assert_readable_controls,
    axe_violations,
    contrast_failures,
    is_focused,
    tab_to,
)

SKIP_LINK = re.compile(r"Skip to content|Hoppa till innehållet")


def _result_names(page: Page) -> list[str]:
    return [name.strip() for name in page.locator("ol.results > li h3").all_inner_texts()]


def _goteborg_first(names: list[str]) -> None:
    """At least one Göteborg office, and every Göteborg office before any other."""
    in_goteborg = [name.startswith("Göteborg") for name in names]
    assert in_goteborg and in_goteborg[0], names
    first_other = in_goteborg.index(False) if False in in_goteborg else len(names)
    assert not any(in_goteborg[first_other:]), names


def test_skip_link__first_tab__focuses_it_and_enter_moves_focus_to_main(page):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    assert is_focused(skip)
    expect(skip).to_have_text(SKIP_LINK)
    expect(skip).to_be_visible()  # hidden until focused, then shown (WCAG 2.4.7)
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0 and box["x"] >= 0, box

    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    assert is_focused(page.locator("main#main"))


def test_finder__keyboard_only_search__goteborg_offices_first(page):
    page.goto("/")
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Enter")  # focus moves to <main>
    search = page.locator("input[name=q]")
    # The first stop in main is the way to English (the Swedish first page, decision 0064),
    # then "Book an appointment" (walk F15, 2 Dec 2026), the search field the next.
    assert tab_to(page, search) == 3

    page.keyboard.type("goteborg")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"\?q=goteborg"))

    expect(page.locator("ol.results")).to_be_visible()
    _goteborg_first(_result_names(page))
    # The result is a link the keyboard reaches and follows.
    first = page.locator("ol.results > li h3 a").first
    tab_to(page, first)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/office/goteborg-"))
    expect(page.locator("h1")).to_contain_text("Göteborg")


def test_finder__without_javascript__search_works(open_page):
    page = open_page(javascript=False)
    page.goto("/")
    page.locator("input[name=q]").fill("goteborg")
    page.locator("input[name=q]").press("Enter")
    page.wait_for_url(re.compile(r"\?q=goteborg"))
    _goteborg_first(_result_names(page))
    # The geolocation button needs JavaScript, so without it it stays hidden.
    expect(page.locator("#use-position")).to_be_hidden()


def test_language_switch__without_javascript__page_turns_english(open_page):
    page = open_page(javascript=False)
    page.goto("/office/kista/")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    page.get_by_role("button", name="English").click()
    page.wait_for_url(re.compile(r"/en/office/kista/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Svenska")).to_be_visible()
    # The choice sticks: the next page, followed by a link, is English too.
    page.get_by_role("link", name="Find an office").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Find a service office")


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 200),
        ("/?q=goteborg", 200),
        ("/?q=Xyzzyqqq", 404),
        ("/office/kista/", 200),
        ("/en/office/kista/", 200),
        ("/en/book/", 200),
        ("/en/queue/kista/", 200),
        ("/en/display/kista/", 200),
        ("/en/book/check-in/kista/", 200),
        ("/staff/login/", 200),
    ],
    ids=[
        "finder",
        "results",
        "unknown-place",
        "office",
        "office-en",
        "booking-en",
        "kiosk-en",
        "display-en",
        "check-in-en",
        "staff-sign-in",
    ],
)
def test_public_page__axe__no_wcag21_aa_violations(page, path, status):
    response = page.goto(path)
    assert response is not None and response.status == status
    assert_accessible(page)
    assert_readable_controls(page)  # what axe's color-contrast does not see


def test_contrast_check__white_on_white_button__reported(browser):
    """The computed-contrast check can fail: a link-style button that kept a white text."""
    page = browser.new_page()
    try:
        page.set_content(
            '<html lang="sv"><body style="background:#fff"><main>'
            '<button style="background:none;color:#fff;border:0">Ropa upp</button>'
            '<a href="#" style="color:#767676">ok link</a></main></body></html>'
        )
        failures = contrast_failures(page)
    finally:
        page.close()
    assert len(failures) == 1 and "Ropa upp" in failures[0]


def test_axe_check__page_with_violations__reports_them(browser):
    """The check itself can fail: a page with an unlabelled field and an image without text."""
    page = browser.new_page()
    try:
        page.set_content(
            '<html lang="sv"><head><title>x</title></head><body><main>'
            '<img src="data:,"><input type="text"></main></body></html>'
        )
        with pytest.raises(AssertionError) as failure:
            assert_accessible(page)
    finally:
        page.close()
    assert "image-alt" in str(failure.value)
    assert "label" in str(failure.value)


def test_axe_check__page_without_javascript__reports_them_and_returns(browser):
    """axe waits for timers, which never fire on a page without scripting: the check once
    hung there for good (Playwright's evaluate has no timeout). It now returns, and finds."""
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_content(
            '<html lang="sv"><head><title>x</title></head><body><main>'
            '<img src="data:,"><noscript><p>Utan JavaScript</p></noscript></main></body></html>'
        )
        violations = [v["id"] for v in axe_violations(page)]
    finally:
        context.close()
    assert violations == ["image-alt"]
