"""The kiosk (take a queue ticket) and the lobby display in a real browser."""

import re

import pytest
from playwright.sync_api import Page, expect

from servicekontor.core import clock
from servicekontor.network.models import Office
from servicekontor.queueing import devices, services
from servicekontor.queueing.models import DeviceKind, QueueSettings, Visit, VisitSource
from servicekontor.queueing.queries import walk_in_services
from tests.browser.conftest import OpenPage
from tests.browser.support import assert_accessible, tab_to

TICKET = re.compile(r"^[A-Z]-\d{3}$")


@pytest.fixture
def kista(site: str) -> Office:
    return Office.objects.get(code="kista")


@pytest.fixture
def kiosk_page(open_page: OpenPage, kista: Office) -> Page:
    """A browser paired as Kista's kiosk, at an office that demands pairing."""
    QueueSettings.objects.create(office=kista, require_device_token=True)
    token = devices.create_device_token(office=kista, kind=DeviceKind.KIOSK, name="Kiosk 1")
    page = open_page()
    page.goto(f"/queue/kista/pair/?kind=kiosk&token={token}")
    expect(page).to_have_url(re.compile(r"/queue/kista/$"))
    return page


def _take_ticket_with_keyboard(page: Page) -> tuple[str, str]:
    """From the kiosk start: agency, service, ticket, with Tab, Space and Enter only."""
    agency = page.locator("ul.choices a.choice").first
    tab_to(page, agency)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/queue/kista/[\w-]+/$"))

    service = page.locator("input[name=service]").first
    tab_to(page, service)
    page.keyboard.press("Space")
    expect(service).to_be_checked()
    service_name = page.locator("label", has=service).inner_text().strip()
    tab_to(page, page.locator("button.take"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/queue/kista/ticket/"))
    return page.locator("p.number").inner_text().strip(), service_name


def test_kiosk__keyboard_only__takes_a_ticket(kiosk_page: Page, kista: Office):
    number, service_name = _take_ticket_with_keyboard(kiosk_page)

    assert TICKET.match(number), number
    visit = Visit.objects.select_related("service").get(office=kista)
    assert visit.ticket == number
    assert visit.source == VisitSource.KIOSK
    assert visit.service.name == service_name
    expect(kiosk_page.locator("section.ticket")).to_contain_text(service_name)


def test_kiosk__unpaired_browser__is_refused(page: Page, kista: Office):
    QueueSettings.objects.create(office=kista, require_device_token=True)
    response = page.goto("/queue/kista/")
    assert response is not None and response.status == 403
    expect(page.locator("ul.choices")).to_have_count(0)
    assert_accessible(page)


def test_kiosk__axe__start_and_service_pages(kiosk_page: Page):
    assert_accessible(kiosk_page)  # start: choose an agency
    kiosk_page.locator("ul.choices a.choice").first.click()
    kiosk_page.wait_for_url(re.compile(r"/queue/kista/[\w-]+/$"))
    assert_accessible(kiosk_page)  # choose a service


def test_kiosk__axe__ticket_page(kiosk_page: Page):
    kiosk_page.locator("ul.choices a.choice").first.click()
    kiosk_page.locator("input[name=service]").first.check()
    kiosk_page.locator("button.take").click()
    kiosk_page.wait_for_url(re.compile(r"/ticket/"))
    assert_accessible(kiosk_page)


def test_kiosk__axe__easy_to_read_mode(kiosk_page: Page):
    kiosk_page.goto("/queue/kista/?easy=1")
    assert_accessible(kiosk_page)
    kiosk_page.locator("ul.choices a.choice").first.click()
    assert_accessible(kiosk_page)


def test_kiosk__without_javascript__takes_a_ticket(open_page: OpenPage, kista: Office):
    page = open_page(javascript=False)
    page.goto("/queue/kista/")
    page.locator("ul.choices a.choice").first.click()
    page.locator("input[name=service]").first.check()
    page.locator("button.take").click()
    page.wait_for_url(re.compile(r"/queue/kista/ticket/"))
    assert TICKET.match(page.locator("p.number").inner_text().strip())
    assert Visit.objects.filter(office=kista).count() == 1


def test_display__new_ticket__board_updates_without_reload(page: Page, kista: Office):
    service = walk_in_services(office=kista, day=clock.local_today()).first()
    assert service is not None
    services.issue_ticket(office=kista, service=service)
    page.goto("/en/display/kista/")
    waiting = page.locator("#board p.waiting")
    expect(waiting).to_have_text("1 waiting")
    assert_accessible(page)

    page.evaluate("window.__same_document = true")
    services.issue_ticket(office=kista, service=service)
    expect(waiting).to_have_text("2 waiting", timeout=8_000)  # polled every second
    assert page.evaluate("window.__same_document === true")  # no reload happened


def test_display__without_javascript__refreshes_itself(open_page: OpenPage, kista: Office):
    service = walk_in_services(office=kista, day=clock.local_today()).first()
    assert service is not None
    page = open_page(javascript=False)
    page.goto("/en/display/kista/")
    waiting = page.locator("#board p.waiting")
    expect(waiting).to_have_text("0 waiting")
    services.issue_ticket(office=kista, service=service)
    expect(waiting).to_have_text("1 waiting", timeout=10_000)  # <noscript> refresh, 5 s
