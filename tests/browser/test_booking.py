"""The citizen's booking flow in a real browser: keyboard only, without JavaScript, WCAG."""

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from servicekontor.appointments import queries, services, tokens
from servicekontor.appointments.models import AppointmentAllocation, Booking, BookingStatus
from servicekontor.appointments.tokens import format_code
from servicekontor.catalog.models import Service
from servicekontor.core import clock
from servicekontor.core.clock import STOCKHOLM
from servicekontor.network.models import Office
from tests.browser.conftest import OpenPage
from tests.browser.support import assert_accessible, tab_to

CODE = re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]+$")


@pytest.fixture
def kista(site: str) -> Office:
    """Kista, giving two counters to appointments every hour 07–20 on every weekday.

    Which of those hours are bookable depends on the office's opening hours, holidays and
    the booking window, so the tests pick whatever the page offers, never a fixed time.
    """
    office = Office.objects.get(code="kista")
    # Instead of the reference data's appointment hours (an assumption per size class).
    AppointmentAllocation.objects.filter(office=office).delete()
    AppointmentAllocation.objects.bulk_create(
        AppointmentAllocation(office=office, weekday=weekday, hour=hour, counters=2)
        for weekday in range(7)
        for hour in range(7, 20)
    )
    return office


@pytest.fixture
def service(kista: Office) -> Service:
    """Parental benefit: walk in or book, no identity number asked."""
    return Service.objects.get(agency__code="forsakringskassan", code="foraldrapenning")


def _booked(office: Office) -> Booking:
    booking = Booking.objects.select_related("service").get(office=office)
    assert booking.status == BookingStatus.BOOKED
    return booking


def test_booking__keyboard_only__books_a_time_and_shows_the_code(
    page: Page, kista: Office, service: Service
):
    page.goto("/book/")
    tab_to(page, page.get_by_role("link", name=service.name_sv, exact=True))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/book/service/{service.pk}/$"))

    tab_to(page, page.locator("input[name=q]"))
    page.keyboard.type("Kista")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"\?q=Kista"))
    tab_to(page, page.locator("ul.office-list a", has_text="Stockholm Kista"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/book/service/{service.pk}/kista/$"))

    first_time = page.locator("ul.times a").first
    tab_to(page, first_time)
    chosen = first_time.inner_text().strip()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/book/service/{service.pk}/kista/\d+/$"))

    tab_to(page, page.locator("input[name=name]"))
    page.keyboard.type("Alice Andersson")
    tab_to(page, page.locator("input[name=email]"))
    page.keyboard.type("alice@example.org")
    tab_to(page, page.locator("main form[method=post] button[type=submit]"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/book/manage/[^/]+/\?new=1$"))

    booking = _booked(kista)
    shown = page.locator(".booking-code strong").inner_text().strip()
    assert CODE.match(shown), shown
    assert shown == format_code(booking.code)
    assert booking.service == service and booking.name == "Alice Andersson"
    assert f"{booking.starts_at.astimezone(STOCKHOLM):%H:%M}" == chosen.split("–")[0]


def test_office_page__keyboard_only__book_link_leads_to_free_times(
    page: Page, kista: Office, service: Service
):
    page.goto("/office/kista/")
    book = page.locator(f'main a[href="/book/service/{service.pk}/kista/"]')
    expect(book).to_contain_text(service.name_sv)  # the hidden part names the service
    tab_to(page, book, limit=120)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/book/service/{service.pk}/kista/$"))
    expect(page.locator("ul.times a").first).to_be_visible()


def test_booking__without_javascript__books_a_time(
    open_page: OpenPage, kista: Office, service: Service
):
    page = open_page(javascript=False)
    page.goto("/book/")
    page.get_by_role("link", name=service.name_sv, exact=True).click()
    page.get_by_role("link", name="Stockholm Kista").click()
    page.locator("ul.times a").first.click()
    page.locator("input[name=name]").fill("Bertil Berg")
    page.locator("input[name=phone]").fill("070-123 45 67")
    page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/book/manage/[^/]+/\?new=1$"))
    assert page.locator(".booking-code strong").inner_text().strip() == format_code(
        _booked(kista).code
    )


def test_booking__axe__every_step_and_the_confirmation(page: Page, kista: Office, service: Service):
    page.goto("/book/")
    assert_accessible(page)  # 1: service
    page.goto(f"/book/service/{service.pk}/?q=Kista")
    assert_accessible(page)  # 2: office, nearest a place
    page.get_by_role("link", name="Stockholm Kista").click()
    assert_accessible(page)  # 3: day and time
    page.locator("ul.times a").first.click()
    assert_accessible(page)  # 4: contact details
    page.locator("input[name=name]").fill("Alice Andersson")
    page.locator("input[name=email]").fill("alice@example.org")
    page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_url(re.compile(r"\?new=1$"))
    assert_accessible(page)  # the confirmation with the booking code


def test_booking__axe__form_errors_and_unknown_place(page: Page, kista: Office, service: Service):
    response = page.goto(f"/book/service/{service.pk}/?q=Xyzzyqqq")
    assert response is not None and response.status == 400
    assert_accessible(page)
    page.goto(f"/book/service/{service.pk}/kista/")
    page.locator("ul.times a").first.click()
    page.locator("main form[method=post] button[type=submit]").click()  # nothing filled in
    expect(page.locator("#error-summary")).to_be_visible()
    # Focus lands on the summary (no script needed), so a screen reader or a keyboard user
    # starts at what is wrong, not at the top of the page.
    expect(page.locator("#error-summary")).to_be_focused()
    assert_accessible(page)


def test_booking__days_and_times_are_large_targets_on_a_phone(
    page: Page, kista: Office, service: Service
):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"/book/service/{service.pk}/kista/")
    for link in [page.locator("ul.days a").first, page.locator("ul.times a").first]:
        box = link.bounding_box()
        assert box is not None and box["height"] >= 44 and box["width"] >= 44, box


@pytest.fixture
def booked(kista: Office, service: Service) -> services.NewBooking:
    """Alice's booking at the first free time the booking pages would offer."""
    days = queries.free_days(
        office=kista, service=service, first_day=clock.local_today(), days=14, now=None
    )
    slot = next(slot for day in days for slot in day.slots)
    return services.book_appointment(
        office=kista,
        service=service,
        starts_at=slot.start,
        contact=services.Contact(name="Alice Andersson", email="alice@example.org"),
    )


def test_manage__keyboard_only__cancels_the_booking(page: Page, booked: services.NewBooking):
    page.goto(f"/book/manage/{booked.token}/")
    assert_accessible(page)
    cancel_url = f"/book/manage/{booked.token}/cancel/"
    tab_to(page, page.locator(f'main a[href$="{cancel_url}"]'))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert_accessible(page)  # the question: cancel, or keep it
    tab_to(page, page.locator("main form[method=post] button[type=submit]"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(f'main a[href$="{cancel_url}"]')).to_have_count(0)  # nothing left
    booked.booking.refresh_from_db()
    assert booked.booking.status == BookingStatus.CANCELLED
    assert_accessible(page)


def test_reschedule__axe(page: Page, booked: services.NewBooking):
    page.goto(f"/book/manage/{booked.token}/reschedule/")
    expect(page.locator("main ul.times a").first).to_be_visible()
    assert_accessible(page)


def test_kiosk_check_in__keyboard_only__gives_a_queue_number(
    page: Page, kista: Office, service: Service
):
    """A booking starting in five minutes (made directly: the booking window would refuse
    it), checked in with the code typed at the kiosk."""
    now = clock.now()
    booking = Booking.objects.create(
        office=kista,
        service=service,
        day=clock.local_date_of(now),
        starts_at=now + dt.timedelta(minutes=5),
        ends_at=now + dt.timedelta(minutes=5 + service.handling_minutes),
        code="ABCD2345",
        token_hash=tokens.hash_token(tokens.new_token()),
        name="Alice Andersson",
        email="alice@example.org",
        created_at=now,
    )
    page.goto("/book/check-in/kista/")
    assert_accessible(page)
    tab_to(page, page.locator("input[name=code]"))
    page.keyboard.type("abcd-2345")  # as people type it: lower case, with the dash
    with page.expect_navigation():
        page.keyboard.press("Enter")

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CHECKED_IN
    number = page.locator("main p.ticket strong").inner_text().strip()
    assert re.match(r"^[A-Z]-\d{3}$", number), number
    assert_accessible(page)
