"""htmx answers with an error status, with JavaScript on (core/htmx_errors.js): htmx 2 swaps
no 4xx/5xx answer by default, so a refusal's reason was lost (the walk: a refused check-in at
the desk showed nothing, the row stayed). A fragment made for the target is put in place with
its reason; any other error answer leaves the target and says why in a role=alert line."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from servicekontor.accounts.models import OfficeAssignment
from servicekontor.appointments.models import Booking, BookingStatus
from servicekontor.catalog.models import Agency, Service
from servicekontor.core import clock
from servicekontor.network.models import Office
from servicekontor.queueing import services
from tests.browser.conftest import OpenStaffPage
from tests.factories import make_user, open_around_the_clock


@pytest.fixture
def kista(site: str) -> Office:
    return open_around_the_clock(Office.objects.get(code="kista"))


@pytest.fixture
def service(kista: Office) -> Service:
    return Service.objects.get(agency__code="forsakringskassan", code="foraldrapenning")


def _booking(office: Office, service: Service) -> Booking:
    starts_at = (clock.now() + dt.timedelta(minutes=5)).replace(second=0, microsecond=0)
    return Booking.objects.create(
        office=office,
        service=service,
        day=clock.local_date_of(starts_at),
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=20),
        code="KQ7M2PXR",
        token_hash="x" * 64,
        name="Citizen",
        email="citizen@example.invalid",
        created_at=clock.now() - dt.timedelta(hours=1),
    )


def test_desk__refused_check_in__reason_shown_and_announced(
    open_staff_page: OpenStaffPage, kista: Office, service: Service
):
    officer = make_user(username="anna", offices=[kista], agencies=list(Agency.objects.all()))
    point = kista.service_points.filter(is_active=True).order_by("number").first()
    assert point is not None
    services.sign_in_at_desk(officer=officer, service_point=point)
    booking = _booking(kista, service)
    page = open_staff_page(officer)
    page.goto("/desk/kista/")
    button = page.locator("#desk-today-bookings button[type=submit]")
    expect(button).to_have_count(1)
    # Cancelled by the citizen meanwhile: the check-in is refused (409) with the reason.
    Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.CANCELLED)
    with page.expect_response(lambda r: "/check-in/" in r.url) as answered:
        button.click()
    assert answered.value.status == 409
    alert = page.locator("#desk-today-bookings [role=alert]")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("KQ7M-2PXR")
    # the list is the fresh one: no check-in button for a cancelled booking any more
    expect(button).to_have_count(0)


def test_live_view__refused_poll__reason_shown_figures_kept(
    open_staff_page: OpenStaffPage, kista: Office
):
    manager = make_user(username="maria", role="office_manager", offices=[kista])
    page = open_staff_page(manager)
    page.goto(f"/desk/{kista.code}/live/")
    expect(page.locator("#live-panel")).to_be_visible()
    # No longer this office's manager: the next poll is refused (403 page).
    OfficeAssignment.objects.filter(user=manager, office=kista).delete()
    with page.expect_response(lambda r: r.url.endswith("/live/panel/")) as answered:
        page.evaluate("document.dispatchEvent(new CustomEvent('sk:push'))")
    assert answered.value.status == 403
    alert = page.locator("[data-htmx-error][role=alert]")
    expect(alert).to_be_visible()
    expect(alert).not_to_be_empty()
    expect(page.locator("#live-panel table").first).to_be_visible()  # the figures stay


def _officer_at_desk(kista: Office):
    officer = make_user(username="anna", offices=[kista], agencies=list(Agency.objects.all()))
    point = kista.service_points.filter(is_active=True).order_by("number").first()
    assert point is not None
    services.sign_in_at_desk(officer=officer, service_point=point)
    return officer


def test_desk__poll_after_the_session_ended__says_so_and_offers_sign_in(
    open_staff_page: OpenStaffPage, kista: Office
):
    officer = _officer_at_desk(kista)
    page = open_staff_page(officer)
    page.goto("/desk/kista/")
    expect(page.locator("#waiting-panel")).to_be_visible()
    # Signed out elsewhere (another tab, or expired): the polls are led to the sign-in page.
    page.context.clear_cookies()
    alert = page.locator("[data-htmx-error][role=alert]").first
    expect(alert).to_be_visible(timeout=15_000)
    link = alert.locator("a")
    expect(link).to_have_attribute("href", "/staff/login/?next=/desk/kista/&ended=1")
    expect(page.locator("#waiting-panel")).to_be_visible()  # the list is kept as it was


def test_desk__poll_after_leaving_the_desk__says_so_and_offers_the_desk_again(
    open_staff_page: OpenStaffPage, kista: Office
):
    officer = _officer_at_desk(kista)
    page = open_staff_page(officer)
    page.goto("/desk/kista/")
    expect(page.locator("#waiting-panel")).to_be_visible()
    services.sign_out_of_desk(officer=officer)  # left in another tab: the polls are 403
    alert = page.locator("[data-htmx-error][role=alert]").first
    expect(alert).to_be_visible(timeout=15_000)
    expect(alert.locator("a")).to_have_attribute("href", page.url)
    # back at the desk (signed in there again): the next good answer takes the line away
    services.sign_in_at_desk(
        officer=officer,
        service_point=kista.service_points.filter(is_active=True).order_by("number")[0],
    )
    expect(page.locator("[data-htmx-error][role=alert]")).to_have_count(0, timeout=15_000)
