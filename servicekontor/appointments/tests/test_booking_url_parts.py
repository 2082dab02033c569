"""Walk, 1 Dec 2026: /en/book/service/6/kista/0/ answered "This office does not take
bookings for that service on that day." Each part of a booking URL that cannot be used gets
its own message and status: 400 malformed, 404 unknown, 409/410 no longer available."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from servicekontor.appointments.tests.conftest import TUESDAY, local
from tests.factories import make_offering, make_office, make_service

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen", "no_rate_limit")]

GENERIC = "does not take bookings for that service on that day"


def _get(client, name, *args):
    with translation.override("en"):
        response = client.get(reverse(f"appointments:{name}", args=list(args)))
    return response.status_code, response.content.decode()


def _assert(result, status, words):
    code, body = result
    assert code == status, body[:2000]
    assert words in body
    if status != 409:
        assert GENERIC not in body


def test_service_part(client, office, service):
    for name, extra in (("offices", []), ("times", [office.code])):
        _assert(_get(client, name, "six", *extra), 400, "is not a service number")
        _assert(_get(client, name, "999999", *extra), 404, "No service has the number 999999")
    walk_in = make_service(mode="walk_in")
    make_offering(office=office, service=walk_in)
    _assert(_get(client, "offices", walk_in.pk), 404, "cannot be booked")
    ts = int(local(TUESDAY, 10).timestamp())
    _assert(_get(client, "contact", "x1", office.code, ts), 400, "is not a service number")


def test_office_part(client, office, service):
    ts = int(local(TUESDAY, 10).timestamp())
    _assert(_get(client, "times", service.pk, "nowhere"), 404, "No office has the code")
    _assert(_get(client, "contact", service.pk, "nowhere", ts), 404, "No office has the code")
    elsewhere = make_office(counters=1)
    _assert(_get(client, "contact", service.pk, elsewhere.code, ts), 404, "does not offer")


def test_time_part(client, office, service):
    for bad in ("abc", "99999999999999", "1e9"):
        _assert(_get(client, "contact", service.pk, office.code, bad), 400, "not valid")
    # the walk's case: 0 is 1 January 1970, a time long gone
    _assert(_get(client, "contact", service.pk, office.code, 0), 410, "already passed")
    yesterday = int(local(TUESDAY - dt.timedelta(days=2), 10).timestamp())
    _assert(_get(client, "contact", service.pk, office.code, yesterday), 410, "already passed")
    off_grid = int(local(TUESDAY, 10, 7).timestamp())
    _assert(
        _get(client, "contact", service.pk, office.code, off_grid),
        404,
        "appointment times",
    )


def test_a_day_the_office_no_longer_offers_the_service_is_409(client, office):
    ending = make_service(mode="both", handling_minutes=30)
    make_offering(office=office, service=ending, valid_to=TUESDAY - dt.timedelta(days=1))
    ts = int(local(TUESDAY, 10).timestamp())
    _assert(_get(client, "contact", ending.pk, office.code, ts), 409, GENERIC)


def test_a_bookable_time_still_shows_the_form(client, office, service):
    ts = int(local(TUESDAY, 10).timestamp())
    code, body = _get(client, "contact", service.pk, office.code, ts)
    assert code == 200 and 'name="name"' in body
