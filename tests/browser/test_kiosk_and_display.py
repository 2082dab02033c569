"""The kiosk (take a queue ticket) and the lobby display in a real browser."""

import re

import pytest
from playwright.sync_api import Page, Route, expect

from servicekontor.catalog.models import Agency
from servicekontor.core import clock
from servicekontor.network.models import Office
from servicekontor.queueing import devices, services
from servicekontor.queueing.models import DeviceKind, QueueSettings, Visit, VisitSource
from servicekontor.queueing.queries import walk_in_services
from tests.browser.conftest import OpenPage
from tests.browser.support import assert_accessible, assert_readable_controls, tab_to
from tests.factories import make_user, open_around_the_clock

TICKET = re.compile(r"^[A-Z]-\d{3}$")


@pytest.fixture
def kista(site: str) -> Office:
    """Kista, open at every hour: a ticket is issued only while the office is open, and the
    tests run whenever they run."""
    return open_around_the_clock(Office.objects.get(code="kista"))


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


# --- the ticket's print button, a closed office, nobody serving ---------------------------------


def test_kiosk__ticket_page__print_button_styled_and_readable(kiosk_page: Page):
    kiosk_page.locator("ul.choices a.choice").first.click()
    kiosk_page.locator("input[name=service]").first.check()
    kiosk_page.locator("button.take").click()
    kiosk_page.wait_for_url(re.compile(r"/ticket/"))
    button = kiosk_page.locator("#print-ticket")

    expect(button).to_be_visible()
    style = button.evaluate(
        "b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).minHeight]"
    )
    assert style == ["rgb(0, 82, 147)", "80px"]  # the kiosk's large accent button
    assert_readable_controls(kiosk_page)
    # nobody is signed in at a desk: no promise of minutes
    expect(kiosk_page.locator("section.ticket")).to_contain_text("Ingen handläggare tar emot")
    expect(kiosk_page.locator("section.ticket")).not_to_contain_text("minuter")


def test_kiosk__ticket_page__without_javascript_no_dead_print_button(
    open_page: OpenPage, kista: Office
):
    page = open_page(javascript=False)
    page.goto("/queue/kista/")
    page.locator("ul.choices a.choice").first.click()
    page.locator("input[name=service]").first.check()
    page.locator("button.take").click()
    page.wait_for_url(re.compile(r"/ticket/"))

    expect(page.locator("#print-ticket")).to_be_hidden()


def test_kiosk__closed_today__says_when_it_opens_and_offers_no_ticket(
    kiosk_page: Page, kista: Office
):
    from servicekontor.network.models import ExceptionKind, OpeningException

    OpeningException.objects.create(
        office=kista, date=clock.local_today(), kind=ExceptionKind.CLOSED
    )
    kiosk_page.goto("/queue/kista/")

    expect(kiosk_page.locator("main")).to_contain_text("Kontoret är stängt nu")
    expect(kiosk_page.locator("main")).to_contain_text("i morgon kl. 00:00")
    expect(kiosk_page.locator("ul.choices")).to_have_count(0)
    assert_accessible(kiosk_page)
    assert_readable_controls(kiosk_page)


# --- the lobby display: active calls stand out, the live region stays -------------------------


@pytest.fixture
def two_desks(kista: Office):
    agencies = list(Agency.objects.all())
    points = list(kista.service_points.filter(is_active=True).order_by("number")[:2])
    officers = []
    for n, point in enumerate(points):
        officer = make_user(username=f"desk-officer-{n}", offices=[kista], agencies=agencies)
        services.sign_in_at_desk(officer=officer, service_point=point)
        officers.append(officer)
    return officers


def _font_size(locator) -> float:
    return float(locator.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))


def test_display__two_desks_call__both_stand_out_the_newest_most(
    page: Page, kista: Office, two_desks
):
    service = walk_in_services(office=kista, day=clock.local_today()).first()
    assert service is not None
    first, second = (services.issue_ticket(office=kista, service=service) for _ in range(2))
    services.call_visit(officer=two_desks[0], visit_id=first.pk)
    page.goto("/display/kista/")
    page.evaluate("window.__announcer = document.getElementById('announcer')")

    services.call_visit(officer=two_desks[1], visit_id=second.pk)

    newest = page.locator(".active li.newest")
    expect(newest).to_contain_text(second.ticket, timeout=8_000)
    older = page.locator(".active li.call:not(.newest)")
    expect(older).to_contain_text(first.ticket)
    assert _font_size(newest) > _font_size(older) > _font_size(page.locator("p.waiting"))
    assert older.evaluate("e => getComputedStyle(e).borderTopStyle") == "solid"  # framed
    announcer = page.locator("#announcer")
    expect(announcer).to_have_text(f"Nu på tur: {second.ticket}, disk 2")
    assert page.evaluate("window.__announcer === document.getElementById('announcer')")
    assert announcer.get_attribute("aria-live") == "polite"
    assert_accessible(page)

    services.start_service(officer=two_desks[1], visit_id=second.pk)
    services.finish_visit(officer=two_desks[1], visit_id=second.pk, outcome="resolved")
    # finished: no longer "now serving"; the other call is the newest active one now
    expect(page.locator(".active li.newest")).to_contain_text(first.ticket, timeout=8_000)
    expect(page.locator("ul.earlier")).to_contain_text(second.ticket)


def test_kiosk_start__booked_time_check_in__as_big_a_button_as_the_agencies(kiosk_page: Page):
    """Found by the walk: the check-in was a small text link beside big agency buttons."""
    check_in = kiosk_page.locator(".check-in-entry a").bounding_box()
    agency = kiosk_page.locator(".choices a.choice").first.bounding_box()
    assert check_in is not None and agency is not None
    assert check_in["height"] >= agency["height"] - 1 and check_in["height"] >= 96
    style = kiosk_page.locator(".check-in-entry a").evaluate(
        "e => [getComputedStyle(e).borderTopWidth, getComputedStyle(e).fontWeight]"
    )
    assert style == ["3px", "700"]


def test_display__pushed_board__put_in_place_without_a_request(page: Page, kista: Office, settings):
    # Decision 0062: the display's stream carries the board's HTML; display.js puts it in
    # place. The board's polls are answered 304 here, so only the stream can bring it.
    import json

    from django.test import Client

    from servicekontor.queueing import push

    settings.PUSH_URL = "/push/"
    settings.PUSH_REDIS_URL = "redis://127.0.0.1:1/0"  # publishes fail fast: not the point
    service = walk_in_services(office=kista, day=clock.local_today()).first()
    assert service is not None
    services.issue_ticket(office=kista, service=service)
    polls: list[str] = []

    def unchanged(route: Route) -> None:
        polls.append(route.request.url)
        route.fulfill(status=304)

    pushed: dict[str, str] = {}

    def stream(route: Route) -> None:
        if pushed:
            route.fulfill(status=204)
            return
        services.issue_ticket(office=kista, service=service)
        answer = Client().get(
            f"/push-fragments/board/{kista.pk}/?lang=en",
            headers={push.FETCH_HEADER: push.fetch_key()},
        )
        pushed.update(etag=answer["ETag"], html=answer.content.decode())
        body = f"retry: 60000\n\nevent: board\ndata: {json.dumps(pushed)}\n\n"
        route.fulfill(status=200, headers={"Content-Type": "text/event-stream"}, body=body)

    page.route("**/en/display/kista/board/", unchanged)
    page.route(re.compile(r".*/push/office/\d+/board/\?t=.*"), stream)
    page.goto("/en/display/kista/")
    page.evaluate("window.__same_document = true")
    expect(page.locator("#board p.waiting")).to_have_text("2 waiting", timeout=8_000)
    assert pushed and all(p.endswith("/board/") for p in polls)
    assert page.evaluate("window.__same_document === true")
