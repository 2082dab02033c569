"""Walk F1: the way to an office when the registry has no street address.

70 of 79 offices have no street address in the sources. The citizen booked at such an office
must not be left with only a town: the confirmation, the SMS/e-mail and the office page say
plainly that the address is missing and give what there is — a map pin at the office's point
(marked approximate when it is the district's or town's centre) and the agency to ask.
"""

import re

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from servicekontor.appointments import queries, services
from servicekontor.appointments.models import AppointmentAllocation
from servicekontor.catalog.models import Service
from servicekontor.core import clock
from servicekontor.messaging.models import Message
from servicekontor.network.models import Office
from tests.browser.conftest import OpenPage
from tests.browser.support import assert_accessible

PHONE: ViewportSize = {"width": 390, "height": 844}


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


def _book(office: Office, service: Service, **contact: str) -> services.NewBooking:
    days = queries.free_days(
        office=office, service=service, first_day=clock.local_today(), days=14, now=None
    )
    slot = next(slot for day in days for slot in day.slots)
    return services.book_appointment(
        office=office,
        service=service,
        starts_at=slot.start,
        contact=services.Contact(name="Amina", **contact),
        language="en",
    )


def _map_link(page: Page, office: Office):
    link = page.locator("main .office-way a[href^='https://www.openstreetmap.org/']")
    expect(link).to_have_count(1)
    href = link.get_attribute("href") or ""
    assert f"mlat={office.latitude:.5f}" in href and f"mlon={office.longitude:.5f}" in href
    return link


def test_confirmation_and_sms__office_without_street_address__say_so_and_give_a_map(
    open_page: OpenPage, kista: Office
):
    assert not kista.street_address and kista.position_approximate
    service = Service.objects.get(agency__code="migrationsverket", code="lamna-handlingar")
    made = _book(kista, service, phone="+46701234567")
    page = open_page()
    page.set_viewport_size(PHONE)
    page.goto(f"/en/book/manage/{made.token}/?new=1")
    way = page.locator("main .office-way")
    expect(way).to_contain_text("The street address is missing")
    expect(way).to_contain_text("not the office itself")  # the pin is approximate
    expect(way.get_by_role("link", name=re.compile("migrationsverket", re.I))).to_be_visible()
    expect(_map_link(page, kista)).to_have_accessible_name(f"Map: where {kista.name} is")
    assert_accessible(page)

    sms = Message.objects.get(channel="sms", object_id=made.booking.pk)
    assert "street address missing; map: https://www.openstreetmap.org/?mlat=" in sms.body_text

    page.goto("/en/office/kista/")
    expect(page.locator("main .office-way")).to_contain_text("The street address is missing")
    _map_link(page, kista)
    assert_accessible(page)


def test_office_with_street_address__page_and_sms_give_it(open_page: OpenPage, site: str):
    office = Office.objects.get(code="goteborg-gamlestaden")
    assert office.street_address == "Rullagergatan 2"
    AppointmentAllocation.objects.filter(office=office).delete()
    AppointmentAllocation.objects.bulk_create(
        AppointmentAllocation(office=office, weekday=weekday, hour=hour, counters=2)
        for weekday in range(7)
        for hour in range(7, 20)
    )
    service = Service.objects.get(agency__code="forsakringskassan", code="foraldrapenning")
    made = _book(office, service, phone="+46701234567")
    sms = Message.objects.get(channel="sms", object_id=made.booking.pk)
    assert "Rullagergatan 2" in sms.body_text and "missing" not in sms.body_text

    page = open_page()
    page.goto(f"/en/office/{office.code}/")
    expect(page.locator("main address")).to_contain_text("Rullagergatan 2")
    expect(page.locator("main [data-address-missing]")).to_have_count(0)
    _map_link(page, office)


def test_booking_step_one__drop_in_only_agency_is_listed_with_no_booking_needed(page: Page):
    """Walk F2: the Public Employment Service (drop-in only) was missing from step 1 without
    a word; it is listed, says no booking is needed and links to the offices."""
    page.goto("/en/book/")
    section = page.locator(
        "main section", has=page.get_by_role("heading", name=re.compile("Employment"))
    )
    expect(section).to_contain_text(
        "No booking needed: come to an office during its opening hours."
    )
    expect(section.get_by_role("link", name="Find an office")).to_have_attribute("href", "/en/")
    assert_accessible(page)
