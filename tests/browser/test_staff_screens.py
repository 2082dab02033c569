"""The officer's and the administrator's screens in a real browser at a desktop width
(1280 px): axe, the computed text contrast of every visible control, no sideways scrolling,
and the desk's behaviour with two tabs and refused actions."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, Route, expect

from servicekontor.accounts.models import User
from servicekontor.catalog.models import Agency, Service
from servicekontor.network.models import Office, ServicePoint
from servicekontor.queueing import services
from tests.browser.conftest import OpenStaffPage
from tests.browser.support import (
    assert_accessible,
    assert_fits_width,
    assert_readable_controls,
    wrapped_cells,
)
from tests.factories import make_user, open_around_the_clock

DESKTOP = 1280


@pytest.fixture
def kista(site: str) -> Office:
    """Kista, open at every hour (tickets are issued only while the office is open)."""
    return open_around_the_clock(Office.objects.get(code="kista"))


@pytest.fixture
def service(kista: Office) -> Service:
    return Service.objects.get(agency__code="forsakringskassan", code="foraldrapenning")


@pytest.fixture
def officer(kista: Office) -> User:
    return make_user(username="anna", offices=[kista], agencies=list(Agency.objects.all()))


@pytest.fixture
def desk1(kista: Office) -> ServicePoint:
    point = kista.service_points.filter(is_active=True).order_by("number").first()
    assert point is not None
    return point


@pytest.fixture
def at_desk(officer: User, desk1: ServicePoint) -> User:
    services.sign_in_at_desk(officer=officer, service_point=desk1)
    return officer


@pytest.fixture
def admin_user(site: str) -> User:
    user = make_user(role="network_admin", is_staff=True, is_superuser=True, username="nek")
    user.first_name, user.last_name = "Nils", "Ek"
    user.save()
    return user


def _check_screen(page: Page) -> None:
    assert_accessible(page)
    assert_readable_controls(page)
    assert_fits_width(page, DESKTOP)


# --- the desk ---------------------------------------------------------------------------------


def test_desk__every_state__accessible_readable_and_fits_1280(
    open_staff_page: OpenStaffPage, kista: Office, service: Service, at_desk: User
):
    for _ in range(3):
        services.issue_ticket(office=kista, service=service)
    parked = services.issue_ticket(office=kista, service=service)
    services.call_visit(officer=at_desk, visit_id=parked.pk)
    services.hold_visit(officer=at_desk, visit_id=parked.pk)
    page = open_staff_page(at_desk)

    page.goto("/desk/kista/")  # nobody at the desk: waiting list with "Call" buttons, parked
    expect(page.locator("#waiting-panel button.link").first).to_be_visible()
    _check_screen(page)
    assert wrapped_cells(page, "#waiting-panel th, #waiting-panel td:not(:nth-child(2))") == []

    page.locator("button[value=call_next]").click()  # called
    expect(page.locator("#current-panel .ticket-number")).to_be_visible()
    _check_screen(page)
    page.locator("button[value=start]").click()  # serving: the finish form
    expect(page.locator("#outcome")).to_be_visible()
    expect(page.locator("#current-panel .desk-status")).to_contain_text("tar emot")
    _check_screen(page)
    # one errand recorded, turned to the next: the panel lists what was recorded so far
    page.locator("#errand-outcome").select_option("resolved")
    page.locator("#errand-outcome").locator("xpath=ancestor::form").locator(
        "button[type=submit]"
    ).click()
    recorded = page.locator("#current-panel .recorded-errands li")
    expect(recorded).to_have_count(1)
    expect(recorded.first).to_contain_text(service.name)
    _check_screen(page)


def test_desk__second_tab_follows_the_first_without_reload(
    open_staff_page: OpenStaffPage, kista: Office, service: Service, at_desk: User
):
    ticket = services.issue_ticket(office=kista, service=service).ticket
    first = open_staff_page(at_desk)
    second = first.context.new_page()
    first.goto("/desk/kista/")
    second.goto("/desk/kista/")
    second.evaluate("window.__same_document = true")

    first.locator("button[value=call_next]").click()

    expect(second.locator("#current-panel .ticket-number")).to_have_text(ticket, timeout=8_000)
    expect(second.locator("button[value=call_next]")).to_have_count(0)
    expect(second.locator("#waiting-panel button.link")).to_have_count(0)  # no "Call" now
    assert second.evaluate("window.__same_document === true")  # no reload happened


def test_desk__refused_action__message_after_redirect_and_refresh_sends_nothing(
    open_staff_page: OpenStaffPage, kista: Office, at_desk: User
):
    page = open_staff_page(at_desk)
    page.goto("/desk/kista/")

    page.locator("button[value=call_next]").click()  # nobody waiting: refused

    expect(page).to_have_url(re.compile(r"/desk/kista/$"))  # not the POST's /act/
    # desk.js puts the answer's message in place (#desk-message); without it, the redirect's
    refused = page.locator("#desk-message[role=alert], .messages [role=alert]")
    expect(refused).to_contain_text("Ingen väntar")
    assert_accessible(page)  # the message is not a <ul role="status"> (axe: listitem)
    page.reload()
    expect(refused).to_have_count(0)  # a GET: nothing re-sent


def test_desk__confirmation_message__accessible(
    open_staff_page: OpenStaffPage, kista: Office, service: Service, at_desk: User
):
    services.issue_ticket(office=kista, service=service)
    page = open_staff_page(at_desk)
    page.goto("/desk/kista/")

    page.locator("button[value=call_next]").click()

    expect(page.locator("#desk-message[role=status], .messages [role=status]")).to_be_visible()
    assert_accessible(page)


def test_desk__leave_the_desk_button_is_readable(
    open_staff_page: OpenStaffPage, kista: Office, at_desk: User
):
    page = open_staff_page(at_desk)
    page.goto("/desk/kista/")
    button = page.get_by_role("button", name="Lämna disken")
    expect(button).to_be_visible()
    colour = button.evaluate("b => getComputedStyle(b).color")

    assert colour != "rgb(255, 255, 255)"  # was white on white
    assert_readable_controls(page)


# --- other staff screens: 1280 px, axe, contrast ----------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/staff/", "/desk/kista/live/", "/planning/", "/statistics/network/"],
)
def test_staff_pages__fit_1280_and_are_readable(
    open_staff_page: OpenStaffPage, admin_user: User, kista: Office, path: str
):
    page = open_staff_page(admin_user)
    page.goto(path)

    assert_readable_controls(page)
    assert_fits_width(page, DESKTOP)


def test_admin__office_change_page__axe_clean_and_fits_1280(
    open_staff_page: OpenStaffPage, admin_user: User, kista: Office
):
    page = open_staff_page(admin_user)
    page.goto(f"/admin/network/office/{kista.pk}/change/")
    expect(page.locator("#office_form")).to_be_visible()
    page.wait_for_load_state("load")
    # the autocomplete comboboxes are made by select2 after load, then named (admin_a11y.js)
    expect(page.locator(".select2-selection").first).to_be_attached()
    expect(page.locator(".select2-selection:not([aria-label])")).to_have_count(0)

    assert_accessible(page)
    assert_fits_width(page, DESKTOP)


def test_admin__swedish_index_names_every_app_in_swedish(
    open_staff_page: OpenStaffPage, admin_user: User
):
    page = open_staff_page(admin_user)
    page.goto("/admin/")

    expect(page.locator("#user-tools")).to_contain_text("Nils")
    for english in ("Access attempts", "Task Results", "Tasks Database Backend", "Axes"):
        expect(page.locator("#content")).not_to_contain_text(english)


def test_api_docs__axe_clean(open_staff_page: OpenStaffPage, admin_user: User):
    page = open_staff_page(admin_user)
    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui .info")).to_be_visible()

    assert_accessible(page)


def test_favicon__served(open_staff_page: OpenStaffPage, admin_user: User):
    page = open_staff_page(admin_user)
    response = page.goto("/favicon.ico")

    assert response is not None and response.status == 200


def test_desk__action_answer__own_visit_then_the_list_asked_for_at_once(
    open_staff_page: OpenStaffPage, kista: Office, service: Service, at_desk: User
):
    # Decision 0035: the answer to call-next carries the own visit only; desk.js asks for the
    # waiting list right after. The polls are slowed to a minute here (the page rewritten on
    # its way in), so only that request can bring the list without its "Call" buttons.
    for _ in range(2):
        services.issue_ticket(office=kista, service=service)
    page = open_staff_page(at_desk)

    def slow_polls(route: Route) -> None:
        response = route.fetch()
        body = response.text().replace('data-poll-seconds="3"', 'data-poll-seconds="60"')
        route.fulfill(response=response, body=body)

    page.route("**/desk/kista/", slow_polls)
    page.goto("/desk/kista/")
    page.evaluate("window.__same_document = true")
    expect(page.locator("#waiting-panel button.link")).to_have_count(2)

    with page.expect_response(lambda r: r.url.endswith("/desk/kista/panel/")) as listed:
        page.locator("button[value=call_next]").click()
    assert listed.value.status == 200
    expect(page.locator("#current-panel .ticket-number")).to_be_visible()
    expect(page.locator("#waiting-panel button.link")).to_have_count(0, timeout=8_000)
    assert page.evaluate("window.__same_document === true")  # no reload happened


def test_desk__lost_connection_503__said_in_the_message_line_not_sent_again(
    open_staff_page: OpenStaffPage, kista: Office, service: Service, at_desk: User
):
    # Decision 0088: an action whose database connection was lost after it may have been
    # saved is answered 503 with X-Outcome; desk.js says the sentence where the desk's
    # messages go, gives the buttons back, asks for both parts again, and sends nothing again.
    from django.test import RequestFactory

    from servicekontor.core.lost_connection import UNKNOWN, outcome_response

    services.issue_ticket(office=kista, service=service)
    page = open_staff_page(at_desk)
    page.goto("/desk/kista/")
    page.evaluate("window.__same_document = true")
    answer = outcome_response(RequestFactory().post("/desk/kista/act/"), UNKNOWN)
    posts: list[str] = []

    def lost(route: Route) -> None:
        posts.append(route.request.method)
        route.fulfill(
            status=503,
            headers=dict(answer.items()),
            body=answer.content,
        )

    page.route("**/desk/kista/act/", lost)
    with page.expect_request(lambda r: r.url.endswith("/desk/kista/current/")):
        page.locator("button[value=call_next]").click()
    line = page.locator("#desk-message[role=alert]")
    expect(line).to_contain_text("kan ha sparats eller inte")
    expect(page.locator("button[value=call_next]")).to_be_enabled()
    assert posts == ["POST"]  # not sent again by itself
    assert page.evaluate("window.__same_document === true")  # no page load
    assert_accessible(page)


def _pushed_desk_lists(kista: Office, officer: User) -> dict[str, object]:
    """What the push server gets from the app for `officer`'s desk (decision 0062)."""
    import json

    from django.test import Client

    from servicekontor.queueing import push

    answer = Client().get(
        f"/push-fragments/desk/{kista.pk}/?lang=sv&officers={officer.pk}",
        headers={push.FETCH_HEADER: push.fetch_key()},
    )
    assert answer.status_code == 200
    data = json.loads(answer.content)
    index, etag = data["officers"][str(officer.pk)]
    return {"etag": etag, "html": data["variants"][index]}


def test_desk__pushed_list__swapped_in_without_a_request_and_its_forms_work(
    open_staff_page: OpenStaffPage, kista: Office, service: Service, at_desk: User, settings
):
    # Decision 0062: the desk's stream carries its list's HTML; desk.js puts it in place with
    # the list's tag and the page's CSRF token filled in, asking the app for nothing. The
    # waiting-list polls are answered 304 here, so only the stream can bring the new list.
    import json

    settings.PUSH_URL = "/push/"
    settings.PUSH_REDIS_URL = "redis://127.0.0.1:1/0"  # publishes fail fast: not the point
    for _ in range(2):
        services.issue_ticket(office=kista, service=service)
    page = open_staff_page(at_desk)
    polls: list[str] = []

    def unchanged(route: Route) -> None:
        polls.append(route.request.url)
        route.fulfill(status=304)

    pushed: dict[str, object] = {}

    def stream(route: Route) -> None:
        if pushed:  # a reconnect: closed for good, push.js backs off
            route.fulfill(status=204)
            return
        services.issue_ticket(office=kista, service=service)  # a change: a third visit
        pushed.update(_pushed_desk_lists(kista, at_desk))
        body = f"retry: 60000\n\nevent: desk\ndata: {json.dumps(pushed)}\n\n"
        route.fulfill(status=200, headers={"Content-Type": "text/event-stream"}, body=body)

    page.route("**/desk/kista/panel/", unchanged)
    page.route(re.compile(r".*/push/office/\d+/desk/\?t=.*"), stream)
    page.goto("/desk/kista/")
    page.evaluate("window.__same_document = true")
    expect(page.locator("#waiting-panel button.link")).to_have_count(3)
    assert all(p.endswith("/panel/") for p in polls)  # only 304s (the check on opening)
    panel = page.locator("#waiting-panel")
    assert panel.get_attribute("data-poll-etag") == pushed["etag"]
    token = page.locator("[data-csrf]").get_attribute("data-csrf")
    values = panel.locator('input[name="csrfmiddlewaretoken"]').evaluate_all(
        "inputs => inputs.map(i => i.value)"
    )
    assert values and all(v == token for v in values)
    # a form of the pushed list is accepted (its CSRF token is the page's)
    panel.locator("button.link").first.click()
    expect(page.locator("#current-panel .ticket-number")).to_be_visible()
    assert page.evaluate("window.__same_document === true")  # no reload happened


def test_desk__keyboard_transfer_t_and_did_not_come_k(
    open_staff_page: OpenStaffPage, kista: Office, service: Service, at_desk: User
):
    """Walk F18: T puts the focus on the transfer's service select (Tab, Enter transfer); the
    desk says the visit may come back to this desk; K presses "Did not come" (refused so soon
    after the call, which shows the action was sent)."""
    other = (
        Service.objects.filter(
            offerings__office=kista, required_capability__isnull=True, video_meeting=False
        )
        .exclude(agency=service.agency)
        .exclude(mode="appointment_only")
        .order_by("pk")
        .first()
    )
    assert other is not None
    visit = services.issue_ticket(office=kista, service=other)
    page = open_staff_page(at_desk)
    page.goto("/desk/kista/")
    message = page.locator("#desk-message")

    page.keyboard.press("n")
    expect(message).to_contain_text(visit.ticket)
    page.keyboard.press("t")
    expect(page.locator("#transfer-service")).to_be_focused()
    page.select_option("#transfer-service", str(service.pk))
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(message).to_contain_text("är överförd till")
    expect(message).to_contain_text("Ropa upp nästa här kan ropa upp")

    page.keyboard.press("n")  # this desk serves Föräldrapenning too: the visit comes back
    expect(message).to_contain_text(f"{visit.ticket} är uppropad")
    page.keyboard.press("k")  # pressed "Did not come": refused this soon after the call
    expect(message).to_contain_text("innan du markerar att besökaren inte kom")


def test_desk__outreach_stop_of_another_office__says_why_and_who_works_it(
    open_staff_page: OpenStaffPage, kista: Office, officer: User
):
    """Walk F8: a Kista officer opening an outreach stop's desk landed on their own desk list
    without a word. The chooser says they do not work there and which office staffs it."""
    from tests.factories import make_outreach_stop

    jokkmokk = Office.objects.get(code="jokkmokk")
    stop = make_outreach_stop(staffed_from=jokkmokk)
    page = open_staff_page(officer)
    page.goto(f"/desk/{stop.code}/")
    page.wait_for_url(re.compile(rf"/desk/\?office={stop.code}$"))
    notice = page.locator("#asked-office")
    expect(notice).to_contain_text("du arbetar inte där")
    expect(notice).to_contain_text(f"Personal från {jokkmokk.name}")
    assert_accessible(page)
