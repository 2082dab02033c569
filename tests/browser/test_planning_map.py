"""The planning page's optional interactive map in a real browser, with and without JavaScript."""

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import OpenPage
from tests.browser.support import assert_accessible
from tests.factories import DEFAULT_PASSWORD, make_user

QUESTION = "/planning/?on=2026-01-01&action=propose&objective=coverage&k=3&radius_km=25"


def _network_admin_page(open_page: OpenPage, *, javascript: bool = True) -> Page:
    user = make_user(role="network_admin")
    page = open_page(javascript=javascript)
    page.goto(f"/staff/login/?next={QUESTION.replace('&', '%26').replace('?', '%3F')}")
    page.locator("input[name=username]").fill(user.username)
    page.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    page.locator("form.card button[type=submit]").click()
    page.wait_for_url(re.compile(r"/planning/\?"))
    return page


def test_planning_map__opened__leaflet_draws_the_network(open_page: OpenPage):
    page = _network_admin_page(open_page)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    live = page.locator("details.planning-live-map")
    expect(live).to_be_visible()
    live.locator("summary").click()

    canvas = live.locator(".planning-live-map__canvas")
    expect(canvas).to_have_class(re.compile(r"leaflet-container"))
    expect(canvas.locator(".leaflet-overlay-pane canvas")).to_have_count(1)
    # One switch per layer: localities, offices, proposed, closed, coverage.
    expect(canvas.locator(".leaflet-control-layers input[type=checkbox]")).to_have_count(5)
    expect(canvas.locator(".leaflet-control-layers")).to_contain_text("Föreslaget nytt kontor")
    assert errors == []
    assert_accessible(page)


def test_planning_map__without_javascript__static_map_only(open_page: OpenPage):
    page = _network_admin_page(open_page, javascript=False)
    expect(page.locator("figure.planning-map img")).to_be_visible()
    expect(page.locator("details.planning-live-map")).to_be_hidden()
