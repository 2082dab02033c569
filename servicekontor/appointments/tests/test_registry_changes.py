"""Registry changes that take booked places: shown in the admin before saving, applied when
saved (cancel, notify, offer a new time), for every kind of change (network.change_impact)."""

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from servicekontor.appointments import capacity, services
from servicekontor.appointments.models import AppointmentAllocation, Booking, BookingStatus
from servicekontor.appointments.services import Contact
from servicekontor.appointments.tests.conftest import TUESDAY, local
from servicekontor.network.admin.impact import CONFIRM_FIELD
from servicekontor.network.models import (
    ExceptionKind,
    Offering,
    OpeningException,
    OpeningHoursPeriod,
    ServicePoint,
)
from tests.factories import make_office, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.force_login(make_user(role="network_admin"))
    return client


@pytest.fixture
def booked(office, service):
    """Two bookings at Tuesday 10:00 (both counters) and one at 11:00, in that order."""
    return [
        services.book_appointment(
            office=office,
            service=service,
            starts_at=local(TUESDAY, hour),
            contact=Contact(name="A", email=f"p{n}@x.se"),
        ).booking
        for n, hour in enumerate([10, 10, 11])
    ]


def form_data(response: Any) -> dict[str, Any]:
    """The POST data of an admin change form as it is shown (main form and inlines)."""
    data: dict[str, Any] = {}

    def add(form: Any) -> None:
        for name in form.fields:
            bound = form[name]
            value = bound.value()
            key = bound.html_name
            if isinstance(value, bool):
                if value:
                    data[key] = "on"
            elif isinstance(value, (list, tuple)):
                data[key] = [str(v) for v in value]
            elif value is None:
                data[key] = ""
            elif isinstance(value, dt.time):
                data[key] = value.strftime("%H:%M")
            else:
                data[key] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


def post_twice(client: Client, url: str, data: dict[str, Any]) -> tuple[Any, Any]:
    """Post the change (preview), then post it again with the box ticked (confirm)."""
    preview = client.post(url, data)
    assert preview.status_code == 200, preview.status_code
    field = preview.context["adminform"].form.fields.get(CONFIRM_FIELD)
    assert field is not None, "no confirmation asked"
    fingerprint = field.widget.attrs["value"]
    confirmed = client.post(url, {**data, CONFIRM_FIELD: fingerprint})
    return preview, confirmed


def statuses(bookings: list[Booking]) -> list[str]:
    return [Booking.objects.get(pk=b.pk).status for b in bookings]


def test_registry__closure_added__previewed_then_cancelled_and_notified(
    admin_client, office, booked, django_capture_on_commit_callbacks
):
    url = "/admin/network/openingexception/add/"
    data = {
        "office": office.pk,
        "date": TUESDAY.isoformat(),
        "kind": ExceptionKind.CLOSED,
        "opens": "",
        "closes": "",
        "reason_sv": "Vattenskada",
        "reason_en": "Water damage",
    }
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        preview, confirmed = post_twice(admin_client, url, data)
    body = preview.content.decode()
    # Before saving: every affected booking is named, nothing is saved or sent.
    for booking in booked:
        assert booking.code[:4] in body
    assert confirmed.status_code == 302
    assert OpeningException.objects.filter(office=office, date=TUESDAY).count() == 1
    assert statuses(booked) == [BookingStatus.CANCELLED_BY_OFFICE] * 3
    assert sorted(m.to[0] for m in mail.outbox) == ["p0@x.se", "p1@x.se", "p2@x.se"]
    assert all("/manage/" in m.body for m in mail.outbox)


def test_registry__preview_saves_nothing(admin_client, office, booked):
    data = {"office": office.pk, "date": TUESDAY.isoformat(), "kind": ExceptionKind.CLOSED}
    response = admin_client.post("/admin/network/openingexception/add/", data)
    assert response.status_code == 200
    assert not OpeningException.objects.exists()
    assert statuses(booked) == [BookingStatus.BOOKED] * 3
    assert mail.outbox == [] or all("booked" not in m.subject for m in mail.outbox[3:])


def test_registry__a_stale_confirmation_asks_again(admin_client, office, booked):
    data = {"office": office.pk, "date": TUESDAY.isoformat(), "kind": ExceptionKind.CLOSED}
    response = admin_client.post(
        "/admin/network/openingexception/add/", {**data, CONFIRM_FIELD: "0" * 32}
    )
    assert response.status_code == 200 and not OpeningException.objects.exists()


def test_registry__change_without_affected_bookings_saves_at_once(admin_client, office, booked):
    data = {
        "office": office.pk,
        "date": (TUESDAY + dt.timedelta(days=1)).isoformat(),
        "kind": ExceptionKind.CLOSED,
    }
    assert admin_client.post("/admin/network/openingexception/add/", data).status_code == 302
    assert statuses(booked) == [BookingStatus.BOOKED] * 3


def test_registry__shortened_hours__only_the_time_outside_is_cancelled(
    admin_client, office, booked
):
    exception = OpeningException.objects.create(
        office=office, date=TUESDAY + dt.timedelta(days=7), kind=ExceptionKind.CLOSED
    )
    url = f"/admin/network/openingexception/{exception.pk}/change/"
    data = form_data(admin_client.get(url))
    data.update(
        date=TUESDAY.isoformat(), kind=ExceptionKind.SPECIAL_HOURS, opens="10:00", closes="10:30"
    )
    _preview, confirmed = post_twice(admin_client, url, data)
    assert confirmed.status_code == 302
    assert statuses(booked) == [
        BookingStatus.BOOKED,
        BookingStatus.BOOKED,
        BookingStatus.CANCELLED_BY_OFFICE,
    ]
    assert Booking.objects.get(pk=booked[2].pk).office_cancel_reason == capacity.CLOSED


def test_registry__weekly_hours_shortened_in_the_period(admin_client, office, booked):
    period = OpeningHoursPeriod.objects.get(office=office)
    url = f"/admin/network/openinghoursperiod/{period.pk}/change/"
    data = form_data(admin_client.get(url))
    tuesday_row = next(
        k.rsplit("-", 1)[0] for k, v in data.items() if k.endswith("-weekday") and v == "1"
    )
    data[f"{tuesday_row}-closes"] = "10:30"
    _preview, confirmed = post_twice(admin_client, url, data)
    assert confirmed.status_code == 302
    assert statuses(booked)[2] == BookingStatus.CANCELLED_BY_OFFICE
    assert statuses(booked)[:2] == [BookingStatus.BOOKED] * 2


def test_registry__ended_offering__not_offered_any_more(admin_client, office, service, booked):
    offering = Offering.objects.get(office=office, service=service)
    url = f"/admin/network/offering/{offering.pk}/change/"
    data = form_data(admin_client.get(url))
    data["valid_to"] = (TUESDAY - dt.timedelta(days=1)).isoformat()
    _preview, confirmed = post_twice(admin_client, url, data)
    assert confirmed.status_code == 302
    assert statuses(booked) == [BookingStatus.CANCELLED_BY_OFFICE] * 3
    assert {Booking.objects.get(pk=b.pk).office_cancel_reason for b in booked} == {
        capacity.NOT_OFFERED
    }


def test_registry__deactivated_counter__the_last_booked_loses_its_place(
    admin_client, office, booked
):
    point = ServicePoint.objects.filter(office=office).order_by("number").last()
    assert point is not None
    url = f"/admin/network/servicepoint/{point.pk}/change/"
    data = form_data(admin_client.get(url))
    data.pop("is_active", None)
    _preview, confirmed = post_twice(admin_client, url, data)
    assert confirmed.status_code == 302
    # Two bookings at 10:00 need two counters: the later booked of them goes; 11:00 stays.
    assert statuses(booked) == [
        BookingStatus.BOOKED,
        BookingStatus.CANCELLED_BY_OFFICE,
        BookingStatus.BOOKED,
    ]
    assert Booking.objects.get(pk=booked[1].pk).office_cancel_reason == capacity.NO_COUNTER


def test_registry__fewer_counters_allocated(admin_client, office, booked):
    row = AppointmentAllocation.objects.get(office=office, weekday=1, hour=10)
    url = f"/admin/appointments/appointmentallocation/{row.pk}/change/"
    data = form_data(admin_client.get(url))
    data["counters"] = "1"
    _preview, confirmed = post_twice(admin_client, url, data)
    assert confirmed.status_code == 302
    assert statuses(booked)[1] == BookingStatus.CANCELLED_BY_OFFICE


def test_registry__office_closes_for_good(admin_client, office, booked):
    url = f"/admin/network/office/{office.pk}/change/"
    data = form_data(admin_client.get(url))
    data["closed_on"] = TUESDAY.isoformat()
    _preview, confirmed = post_twice(admin_client, url, data)
    assert confirmed.status_code == 302, confirmed.content.decode()[:2000]
    assert statuses(booked) == [BookingStatus.CANCELLED_BY_OFFICE] * 3


def test_registry__deleting_the_hours__delete_page_lists_then_cancels(admin_client, office, booked):
    period = OpeningHoursPeriod.objects.get(office=office)
    url = f"/admin/network/openinghoursperiod/{period.pk}/delete/"
    page = admin_client.get(url)
    assert page.status_code == 200
    assert booked[0].code[:4] in page.content.decode()
    assert statuses(booked) == [BookingStatus.BOOKED] * 3
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert statuses(booked) == [BookingStatus.CANCELLED_BY_OFFICE] * 3


def test_registry__checked_in_and_started_bookings_are_kept(office, booked):
    """Only future bookings nobody has checked in for are released."""
    import time_machine

    with time_machine.travel(local(TUESDAY, 9, 50), tick=False):
        services.check_in_booking(office=office, code=booked[0].code)
        OpeningException.objects.create(office=office, date=TUESDAY, kind=ExceptionKind.CLOSED)
        done = services.release_bookings_without_capacity(offices=[office])
    assert {b.pk for b in done} == {booked[1].pk, booked[2].pk}
    assert statuses(booked)[0] == BookingStatus.CHECKED_IN


# --- office managers: their offices' hours and closures, and only theirs -----------------


@pytest.fixture
def manager_client(client, office):
    client.force_login(make_user(role="office_manager", offices=[office], is_staff=True))
    return client


def test_manager__sees_and_adds_closures_of_own_office_only(manager_client, office):
    other = make_office()
    mine = OpeningException.objects.create(
        office=office, date=TUESDAY, kind=ExceptionKind.CLOSED, reason_sv="Egen"
    )
    theirs = OpeningException.objects.create(
        office=other, date=TUESDAY, kind=ExceptionKind.CLOSED, reason_sv="Annans"
    )
    listing = manager_client.get("/admin/network/openingexception/")
    assert listing.status_code == 200
    body = listing.content.decode()
    assert "Egen" in body and "Annans" not in body and other.name not in body
    assert (
        manager_client.get(f"/admin/network/openingexception/{mine.pk}/change/").status_code == 200
    )
    assert manager_client.get(
        f"/admin/network/openingexception/{theirs.pk}/change/"
    ).status_code in (
        302,
        404,
    )
    add = "/admin/network/openingexception/add/"
    assert manager_client.get(add).status_code == 200
    day = (TUESDAY + dt.timedelta(days=2)).isoformat()
    refused = manager_client.post(add, {"office": other.pk, "date": day, "kind": "closed"})
    assert refused.status_code == 200 and not OpeningException.objects.filter(date=day).exists()
    saved = manager_client.post(add, {"office": office.pk, "date": day, "kind": "closed"})
    assert saved.status_code == 302
    assert OpeningException.objects.filter(office=office, date=day).exists()


def test_manager__edits_own_opening_hours_not_others(manager_client, office):
    other = make_office()
    mine = OpeningHoursPeriod.objects.get(office=office)
    theirs = OpeningHoursPeriod.objects.get(office=other)
    page = manager_client.get(f"/admin/network/openinghoursperiod/{mine.pk}/change/")
    assert page.status_code == 200
    data = form_data(page)
    data["name"] = "Sommar"
    assert (
        manager_client.post(
            f"/admin/network/openinghoursperiod/{mine.pk}/change/", data
        ).status_code
        == 302
    )
    mine.refresh_from_db()
    assert mine.name == "Sommar"
    assert manager_client.get(
        f"/admin/network/openinghoursperiod/{theirs.pk}/change/"
    ).status_code in (302, 404)


@pytest.mark.parametrize(
    "path",
    ["/admin/network/office/", "/admin/network/offering/", "/admin/network/servicepoint/"],
)
def test_manager__no_access_to_the_rest_of_the_registry(manager_client, path):
    assert manager_client.get(path).status_code == 403


def test_manager__without_assignment_or_officer__no_access(client, office):
    client.force_login(make_user(role="service_officer", offices=[office], is_staff=True))
    assert client.get("/admin/network/openingexception/").status_code == 403
    client.force_login(make_user(role="office_manager", offices=[], is_staff=True))
    assert client.get("/admin/network/openingexception/").status_code == 403


def test_manager__scope_agrees_with_accounts_permissions(office):
    from servicekontor.accounts.permissions import managed_offices
    from servicekontor.network.admin.office_scope import managed_office_ids

    manager = make_user(role="office_manager", offices=[office, make_office()], is_staff=True)
    assert managed_office_ids(manager) == set(managed_offices(manager).values_list("pk", flat=True))


# --- the other ways the registry changes ------------------------------------------------------


def test_registry__capability_removed_from_the_only_photo_counter(admin_client):
    from tests.factories import make_capability, make_offering, make_service

    photo = make_capability(code="id-photo-test")
    id_card = make_service(handling_minutes=30, required_capability=photo)
    office = make_office(counters=2)
    make_offering(office=office, service=id_card)
    from servicekontor.appointments.tests.conftest import allocate

    allocate(office)
    point = ServicePoint.objects.get(office=office, number=1)
    point.capabilities.set([photo])
    booking = services.book_appointment(
        office=office,
        service=id_card,
        starts_at=local(TUESDAY, 10),
        contact=Contact(name="A", email="a@x.se"),
    ).booking
    url = f"/admin/network/servicepoint/{point.pk}/change/"
    data = form_data(admin_client.get(url))
    data["capabilities"] = []
    _preview, confirmed = post_twice(admin_client, url, data)
    assert confirmed.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED_BY_OFFICE
    assert booking.office_cancel_reason == capacity.NO_COUNTER


def test_registry__milestone_moved_earlier_closes_the_office_before_the_bookings(office, booked):
    from servicekontor.network.models import Milestone
    from servicekontor.network.services import move_milestone

    milestone = Milestone.objects.create(
        code="kiruna-closes", name_sv="Kiruna closes", date=TUESDAY + dt.timedelta(days=30)
    )
    office.closed_on, office.closed_with = milestone.date, milestone
    office.save()
    assert statuses(booked) == [BookingStatus.BOOKED] * 3
    move_milestone(milestone=milestone, new_date=TUESDAY)
    assert statuses(booked) == [BookingStatus.CANCELLED_BY_OFFICE] * 3


def test_registry__csv_import_ending_an_offering_cancels_its_bookings(office, service, booked):
    from servicekontor.network.csv_import.rows import OfferingRow
    from servicekontor.network.csv_import.writing import apply_import

    offering = Offering.objects.get(office=office, service=service)
    apply_import(
        offices=[],
        offerings=[
            OfferingRow(
                line=2,
                office_code=office.code,
                agency_code=service.agency.code,
                service_code=service.code,
                valid_from=offering.valid_from,
                valid_to=TUESDAY - dt.timedelta(days=1),
                source="test",
            )
        ],
    )
    assert statuses(booked) == [BookingStatus.CANCELLED_BY_OFFICE] * 3


def test_registry__milestone_moved_in_the_admin__previewed_then_applied(
    admin_client, office, booked
):
    from servicekontor.network.models import Milestone

    milestone = Milestone.objects.create(
        code="kiruna-closes-admin", name_sv="Kiruna closes", date=TUESDAY + dt.timedelta(days=30)
    )
    office.closed_on, office.closed_with = milestone.date, milestone
    office.save()
    url = f"/admin/network/milestone/{milestone.pk}/change/"
    data = form_data(admin_client.get(url))
    data["date"] = TUESDAY.isoformat()
    preview = admin_client.post(url, data)
    assert preview.status_code == 200 and booked[0].code[:4] in preview.content.decode()
    milestone.refresh_from_db()
    assert milestone.date == TUESDAY + dt.timedelta(days=30)  # nothing moved yet
    assert statuses(booked) == [BookingStatus.BOOKED] * 3
    _preview, confirmed = post_twice(admin_client, url, data)
    assert confirmed.status_code == 302
    office.refresh_from_db()
    assert office.closed_on == TUESDAY
    assert statuses(booked) == [BookingStatus.CANCELLED_BY_OFFICE] * 3


def test_registry__delete_selected__lists_then_cancels(admin_client, office, service, booked):
    offering = Offering.objects.get(office=office, service=service)
    url = "/admin/network/offering/"
    data = {"action": "delete_selected", "_selected_action": [offering.pk]}
    page = admin_client.post(url, data)
    assert page.status_code == 200
    body = page.content.decode()
    assert all(b.code[:4] in body for b in booked)
    assert statuses(booked) == [BookingStatus.BOOKED] * 3
    done = admin_client.post(url, {**data, "post": "yes"})
    assert done.status_code == 302
    assert not Offering.objects.filter(pk=offering.pk).exists()
    assert statuses(booked) == [BookingStatus.CANCELLED_BY_OFFICE] * 3
