"""The booking's life in a real browser: book, move (with a confirmation), cancel (with a
confirmation), the one manage link throughout; and check-in from the kiosk's start screen."""

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from servicekontor.appointments import services, tokens
from servicekontor.appointments.models import AppointmentAllocation, Booking, BookingStatus
from servicekontor.catalog.models import Service
from servicekontor.core import clock
from servicekontor.network.models import Office
from tests.browser.support import assert_accessible


@pytest.fixture
def kista(site: str) -> Office:
    office = Office.objects.get(code="kista")
    AppointmentAllocation.objects.filter(office=office).delete()
    AppointmentAllocation.objects.bulk_create(
        AppointmentAllocation(office=office, weekday=weekday, hour=hour, counters=2)
        for weekday in range(7)
        for hour in range(7, 20)
    )
    return office


@pytest.fixture
def service(kista: Office) -> Service:
    return Service.objects.get(agency__code="forsakringskassan", code="foraldrapenning")


def test_booking_life__book_move_cancel_with_one_code_and_one_link(
    page: Page, kista: Office, service: Service
):
    page.goto(f"/book/service/{service.pk}/kista/")
    page.locator("ul.times a").first.click()
    page.locator("input[name=name]").fill("Alice Andersson")
    page.locator("input[name=email]").fill("alice@example.org")
    page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/book/manage/[^/]+/\?new=1$"))
    manage = page.url.split("?")[0]
    code = page.locator("p.booking-code strong").inner_text().strip()
    booking = Booking.objects.get()
    first_start = booking.starts_at

    # Move: choose another time, see the question, confirm.
    page.get_by_role("link", name=re.compile("Flytta|Move")).click()
    assert_accessible(page)
    page.locator("ul.times a").nth(1).click()
    expect(page.locator("main h1")).to_contain_text(re.compile("Flytta|Move"))
    assert_accessible(page)
    booking.refresh_from_db()
    assert booking.starts_at == first_start  # the question changed nothing
    page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/book/manage/[^/]+/\?done=moved$"))
    assert page.url.split("?")[0] == manage  # the same link
    expect(page.locator("p.booking-code strong")).to_have_text(code)  # the same code
    booking.refresh_from_db()
    assert booking.starts_at != first_start and booking.sequence == 1
    assert Booking.objects.count() == 1
    assert_accessible(page)

    # Cancel: the question, then the answer.
    page.get_by_role("link", name=re.compile("Avboka|Cancel")).click()
    assert_accessible(page)
    page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_url(re.compile(r"\?done=cancelled$"))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and booking.sequence == 2
    expect(page.get_by_role("link", name=re.compile("Flytta|Move"))).to_have_count(0)
    assert_accessible(page)
    # The reschedule page of a cancelled booking offers no time.
    page.goto(manage + "reschedule/")
    expect(page.locator("ul.times")).to_have_count(0)


def test_check_in__from_the_kiosk_start_screen__refresh_shows_the_same_number(
    page: Page, kista: Office, service: Service
):
    now = clock.now()
    link_key = tokens.new_link_key()
    booking = Booking.objects.create(
        office=kista,
        service=service,
        day=clock.local_date_of(now),
        starts_at=now + dt.timedelta(minutes=5),
        ends_at=now + dt.timedelta(minutes=5 + service.handling_minutes),
        code="ABCD2345",
        token_hash=tokens.hash_token(tokens.manage_token(link_key)),
        link_key=link_key,
        name="Alice Andersson",
        email="alice@example.org",
        created_at=now,
    )
    page.goto("/queue/kista/")
    page.locator('a[href$="/book/check-in/kista/"]').click()
    page.wait_for_url(re.compile(r"/book/check-in/kista/$"))
    # A kiosk page: no public header, no staff sign-in.
    expect(page.locator("header.site-header")).to_have_count(0)
    expect(page.locator('a[href*="login"]')).to_have_count(0)
    assert_accessible(page)
    page.locator("input[name=code]").fill("abcd-2345")
    page.locator("main form[method=post] button[type=submit]").click()
    number = page.locator("main p.ticket strong").inner_text().strip()
    assert re.match(r"^[A-Z]-\d{3}$", number), number
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CHECKED_IN
    # Checking in again (a second tap, or the next person's "Done" pressed late): the same
    # number, not an error.
    page.goto("/book/check-in/kista/")
    page.locator("input[name=code]").fill("ABCD2345")
    page.locator("main form[method=post] button[type=submit]").click()
    expect(page.locator("main p.ticket strong")).to_have_text(number)
    assert_accessible(page)
    assert services.check_in_booking(office=kista, code="ABCD2345").ticket == number
