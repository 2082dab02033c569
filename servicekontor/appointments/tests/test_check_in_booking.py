import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from servicekontor.appointments import errors, services
from servicekontor.appointments.models import BookingStatus
from servicekontor.appointments.services import Contact
from servicekontor.appointments.tests.conftest import MONDAY_MORNING, local
from servicekontor.queueing.models import Visit, VisitSource, VisitState
from tests.factories import make_office, make_user

pytestmark = pytest.mark.django_db

MONDAY = MONDAY_MORNING.date()


@pytest.fixture
def booking(office, service):
    with time_machine.travel(MONDAY_MORNING, tick=False):
        return services.book_appointment(
            office=office,
            service=service,
            starts_at=local(MONDAY, 11),
            contact=Contact(name="A", email="a@x.se"),
        ).booking


def at(hour: int, minute: int = 0):
    return time_machine.travel(local(MONDAY, hour, minute), tick=False)


def test_booking__check_in__on_time__enters_queue_with_booked_time(office, booking):
    with at(10, 50):
        result = services.check_in_booking(office=office, code=booking.code.lower())
    assert result.outcome == "checked_in"
    assert result.visit_id is not None
    visit = Visit.objects.get(pk=result.visit_id)
    assert visit.state == VisitState.WAITING and visit.source == VisitSource.APPOINTMENT
    assert visit.booked_start == booking.starts_at and visit.booking_reference == booking.code
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CHECKED_IN and booking.visit_id == visit.pk


def test_booking__check_in__too_early(office, booking, settings):
    settings.APPOINTMENTS_EARLY_CHECK_IN_MINUTES = 30
    with at(10, 29), pytest.raises(errors.TooEarly) as refused:
        services.check_in_booking(office=office, code=booking.code)
    # The citizen is told from when (booked 11:00, 30 minutes early), in local time.
    assert "10:30" in str(refused.value.message)
    with at(10, 30):
        assert services.check_in_booking(office=office, code=booking.code).outcome == "checked_in"


def test_booking__check_in__again__gives_the_number_already_given(office, booking):
    """A refresh or a double tap: the same number, not an error, and no second visit."""
    with at(11):
        first = services.check_in_booking(office=office, code=booking.code)
    with at(11, 20):  # later, past the grace: still the answer the first check-in gave
        again = services.check_in_booking(office=office, code=booking.code)
    assert again.again and not first.again
    assert (again.outcome, again.ticket, again.visit_id) == (
        "checked_in",
        first.ticket,
        first.visit_id,
    )
    assert first.ticket and Visit.objects.count() == 1


@pytest.mark.parametrize("policy", ["walk_in", "no_show"])
def test_booking__check_in__late_again__same_answer(office, booking, settings, policy):
    settings.APPOINTMENTS_LATE_POLICY = policy
    with at(11, 30):
        first = services.check_in_booking(office=office, code=booking.code)
        again = services.check_in_booking(office=office, code=booking.code)
    assert (again.outcome, again.ticket) == (first.outcome, first.ticket)
    # one visit either way: the booking's, queued late, or its no-show (decision 0059)
    assert Visit.objects.count() == 1


def test_booking__kiosk_check_in__refresh_shows_the_number_with_200(client, office, booking):
    url = reverse("appointments:kiosk_check_in", args=[office.code])
    with at(10, 55):
        client.post(url, {"code": booking.code})
        response = client.post(url, {"code": booking.code})
    assert response.status_code == 200
    body = response.content.decode()
    assert Visit.objects.get().ticket in body
    assert "Staff sign-in" not in body and reverse("accounts:login") not in body


def test_booking__kiosk_check_in__page_has_no_public_header(client, office):
    body = client.get(reverse("appointments:kiosk_check_in", args=[office.code])).content.decode()
    assert reverse("accounts:login") not in body
    assert 'class="site-header"' not in body and "kiosk-bar" in body


def test_booking__kiosk_start__links_to_check_in(client, office):
    body = client.get(reverse("queueing:kiosk", args=[office.code])).content.decode()
    assert reverse("appointments:kiosk_check_in", args=[office.code]) in body


@pytest.mark.parametrize("job_ran", [False, True])
@pytest.mark.parametrize("policy", ["walk_in", "no_show"])
def test_booking__check_in__lateness_from_the_clock_not_from_the_job(
    office, booking, settings, job_ran, policy
):
    """12 minutes late, 10 minutes' grace: the same answer whether or not the no-show job ran."""
    settings.APPOINTMENTS_GRACE_MINUTES = 10
    settings.APPOINTMENTS_LATE_POLICY = policy
    with at(11, 12):
        if job_ran:
            assert services.record_no_shows() == 1
        result = services.check_in_booking(office=office, code=booking.code)
        assert services.record_no_shows() == 0  # and the job after it changes nothing
    expected = "late_walk_in" if policy == "walk_in" else "late_no_show"
    assert result.outcome == expected and bool(result.ticket) == (policy == "walk_in")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.LATE
    # One visit of the booking either way (decision 0059): queued late under "walk_in" (a
    # no-show the job had recorded is withdrawn), a no-show under "no_show".
    visit = Visit.objects.get()
    assert visit.booking_reference == booking.code and visit.source == VisitSource.APPOINTMENT
    assert visit.state == (VisitState.WAITING if policy == "walk_in" else VisitState.NO_SHOW)
    assert booking.visit_id == visit.pk


@pytest.mark.parametrize("job_ran", [False, True])
def test_booking__desk__late_check_in_offered_whether_or_not_the_job_ran(office, booking, job_ran):
    from servicekontor.appointments import queries
    from servicekontor.core import clock

    with at(11, 12):
        if job_ran:
            services.record_no_shows()
        rows = queries.desk_rows(office=office, now=clock.now())
    assert [r["can_check_in"] for r in rows] == [True]
    assert [r["status"] for r in rows] == [
        booking.status_label(now=clock.now(), grace=dt.timedelta(minutes=10))
    ]
    assert rows[0]["status"] not in ("No-show", "Uteblev")


@pytest.mark.parametrize("job_ran", [False, True])
def test_booking__manage_page__status_from_the_clock(client, office, booking, job_ran, settings):
    from servicekontor.appointments.tokens import manage_token

    settings.APPOINTMENTS_GRACE_MINUTES = 10
    url = reverse("appointments:manage", args=[manage_token(booking.link_key)])
    with at(11, 12):
        if job_ran:
            services.record_no_shows()
        body = client.get(url).content.decode()
    assert "The time has passed without check-in" in body or "Tiden har passerat" in body


def test_booking__check_in__ended_offering_gives_no_ticket(office, service, booking):
    from servicekontor.network.models import Offering

    Offering.objects.filter(office=office, service=service).update(
        valid_to=MONDAY - dt.timedelta(days=1)
    )
    with at(10, 55), pytest.raises(errors.NotOfferedAnyMore):
        services.check_in_booking(office=office, code=booking.code)
    assert Visit.objects.count() == 0


def test_booking__check_in__late_within_grace_still_booked(office, booking, settings):
    settings.APPOINTMENTS_GRACE_MINUTES = 10
    with at(11, 10):
        assert services.check_in_booking(office=office, code=booking.code).outcome == "checked_in"


def test_booking__check_in__late_becomes_walk_in(office, booking, settings):
    settings.APPOINTMENTS_LATE_POLICY = "walk_in"
    with at(11, 11):
        result = services.check_in_booking(office=office, code=booking.code)
    assert result.outcome == "late_walk_in"
    assert result.visit_id is not None
    # the booking's one visit, booked (decision 0059), queued like a walk-in: no booked time
    late = Visit.objects.get()
    assert late.pk == result.visit_id and late.booking_reference == booking.code
    assert late.source == VisitSource.APPOINTMENT and late.ticket == result.ticket
    assert late.state == VisitState.WAITING and late.booked_start is None
    booking.refresh_from_db()
    assert booking.status == BookingStatus.LATE


def test_booking__check_in__late_becomes_no_show(office, booking, settings):
    settings.APPOINTMENTS_LATE_POLICY = "no_show"
    with at(11, 30):
        result = services.check_in_booking(office=office, code=booking.code)
    assert result.outcome == "late_no_show"
    assert Visit.objects.get().state == VisitState.NO_SHOW


def test_booking__check_in__wrong_office_or_day_says_when_and_where(office, booking):
    # Was UnknownCode ("no booking for today at this office has that code"): the citizen
    # with a valid code learns when and where instead; no visit is made.
    other = make_office()
    with at(11), pytest.raises(errors.BookedElsewhen) as elsewhere:
        services.check_in_booking(office=other, code=booking.code)
    assert office.name in str(elsewhere.value.message) and "11:00" in str(elsewhere.value.message)
    with (
        time_machine.travel(local(MONDAY + dt.timedelta(days=1), 11), tick=False),
        pytest.raises(errors.BookedElsewhen),
    ):
        services.check_in_booking(office=office, code=booking.code)
    assert not Visit.objects.exists()


def test_booking__record_no_shows__after_grace(office, booking):
    with at(11, 5):
        assert services.record_no_shows() == 0
    with at(11, 11):
        assert services.record_no_shows() == 1
        assert services.record_no_shows() == 0
    booking.refresh_from_db()
    assert booking.status == BookingStatus.NO_SHOW
    assert Visit.objects.get(booking_reference=booking.code).state == VisitState.NO_SHOW


def test_booking__kiosk_check_in__http(client, office, booking, settings):
    settings.APPOINTMENTS_RATE_LOOKUP = "1000/m"
    url = reverse("appointments:kiosk_check_in", args=[office.code])
    with at(10, 55):
        assert client.get(url).status_code == 200
        assert client.post(url, {"code": "ZZZZ-ZZZZ"}).status_code == 404
        assert client.post(url, {"code": "x"}).status_code == 400
        response = client.post(url, {"code": booking.code[:4] + "-" + booking.code[4:]})
    assert response.status_code == 200
    assert Visit.objects.get().ticket in response.content.decode()


def test_booking__desk_today__staff_at_the_office_only(client, office, booking):
    url = reverse("appointments:desk_today", kwargs={"office_code": office.code})
    assert client.get(url).status_code == 302  # sign in first
    charlie = make_user(offices=[make_office()])
    client.force_login(charlie)
    assert client.get(url).status_code == 404
    alice = make_user(offices=[office])
    client.force_login(alice)
    with at(10, 45):
        page = client.get(url)
        assert page.status_code == 200
        body = page.content.decode()
        assert booking.code[:4] in body and "11:00" in body
        check_in = reverse("appointments:desk_check_in", args=[office.code, booking.pk])
        assert check_in in body
        response = client.post(check_in, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CHECKED_IN


def test_booking__check_in__late_for_appointment_only_service_cannot_walk_in(office, settings):
    from tests.factories import make_offering, make_service

    settings.APPOINTMENTS_LATE_POLICY = "walk_in"
    id_card = make_service(handling_minutes=30, mode="appointment_only")
    make_offering(office=office, service=id_card)
    with time_machine.travel(MONDAY_MORNING, tick=False):
        booking = services.book_appointment(
            office=office,
            service=id_card,
            starts_at=local(MONDAY, 11),
            contact=Contact(name="A", email="a@x.se"),
        ).booking
    with at(11, 30):
        result = services.check_in_booking(office=office, code=booking.code)
    assert result.outcome == "late_no_show"
    assert Visit.objects.get().state == VisitState.NO_SHOW


# A code of a booking on another day or at another office: when and where, nothing more.


def _kiosk(client, office, code, language):
    from django.utils import translation

    with translation.override(language):
        url = reverse("appointments:kiosk_check_in", args=[office.code])
    return client.post(url, {"code": code})


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "Your appointment is on Monday 10 March at 11:00 at {office}."),
        ("sv", "Din tid är måndag 10 mars kl. 11:00 på {office}."),
    ],
)
def test_booking__kiosk_check_in__another_day_says_when(
    client, office, booking, settings, language, said
):
    settings.APPOINTMENTS_RATE_LOOKUP = "1000/m"
    friday_before = local(MONDAY - dt.timedelta(days=3), 10)
    with time_machine.travel(friday_before, tick=False):
        response = _kiosk(client, office, booking.code, language)
    assert response.status_code == 409
    body = response.content.decode()
    assert said.format(office=office.name) in body
    assert "A</" not in body and "a@x.se" not in body  # not the name nor the contact
    assert not Visit.objects.exists()


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "Your appointment is at another office: on Monday 10 March at 11:00 at {office}."),
        ("sv", "Din tid är på ett annat kontor: måndag 10 mars kl. 11:00 på {office}."),
    ],
)
def test_booking__kiosk_check_in__another_office_names_it(
    client, office, booking, settings, language, said
):
    settings.APPOINTMENTS_RATE_LOOKUP = "1000/m"
    elsewhere = make_office()
    with at(10, 55):
        response = _kiosk(client, elsewhere, booking.code, language)
    assert response.status_code == 409
    assert said.format(office=office.name) in response.content.decode()
    assert not Visit.objects.exists()


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "Your appointment was on Monday 10 March at 11:00 at {office}."),
        ("sv", "Din tid var måndag 10 mars kl. 11:00 på {office}."),
    ],
)
def test_booking__kiosk_check_in__a_past_day_says_it_was(
    client, office, booking, settings, language, said
):
    settings.APPOINTMENTS_RATE_LOOKUP = "1000/m"
    with time_machine.travel(local(MONDAY + dt.timedelta(days=1), 10), tick=False):
        response = _kiosk(client, office, booking.code, language)
    assert response.status_code == 409
    assert said.format(office=office.name) in response.content.decode()


def test_booking__kiosk_check_in__unknown_or_cancelled_code_stays_404(
    client, office, booking, settings
):
    settings.APPOINTMENTS_RATE_LOOKUP = "1000/m"
    with time_machine.travel(local(MONDAY - dt.timedelta(days=3), 10), tick=False):
        assert _kiosk(client, office, "ZZZZ-ZZZZ", "en").status_code == 404
        services.cancel_booking(booking=booking)
        response = _kiosk(client, office, booking.code, "en")
    assert response.status_code == 404
    body = response.content.decode()
    assert "No booking for today at this office has that code" in body
    assert "11:00" not in body and "Your appointment" not in body


@pytest.mark.django_db(transaction=True)
def test_booking__check_in__is_its_own_transaction(office, booking):
    """Outside any transaction (as a view calls it; the other tests run inside the test's
    own), check-in locks its booking in a transaction of its own. A decorator that slid
    onto a helper inserted above it made every kiosk check-in a 500 ("select_for_update
    cannot be used outside of a transaction"), seen only by the browser tests."""
    with at(10, 50):
        first = services.check_in_booking(office=office, code=booking.code)
        again = services.check_in_booking(office=office, code=booking.code)
    assert first.outcome == "checked_in" and again.visit_id == first.visit_id
    tuesday = time_machine.travel(local(MONDAY + dt.timedelta(days=1), 10), tick=False)
    with tuesday, pytest.raises(errors.CheckInError):
        services.check_in_booking(office=office, code=booking.code)


@pytest.mark.parametrize(
    ("back", "kept"),
    [
        ("/desk/{office}/", True),  # the desk page the list is on
        ("/en/book/desk/{office}/today/?x=1", True),
        ("abc", False),  # redirect() took a word for a URL pattern's name: a 500
        ("²", False),
        ("١٢", False),
        ("desk:desk", False),
        ("", False),
        ("//evil.example/x", False),
        ("https://evil.example/", False),
        ("javascript:alert(1)", False),
        (" /desk/", False),
        ("\\\\evil.example", False),
        ("x" * 5000, False),
    ],
)
def test_booking__desk_check_in__goes_back_to_a_page_of_this_site_only(
    client, office, booking, back, kept
):
    client.force_login(make_user(offices=[office]))
    check_in = reverse("appointments:desk_check_in", args=[office.code, booking.pk])
    with at(10, 45):
        response = client.post(check_in, {"next": back.format(office=office.code)})
    assert response.status_code == 302
    today = reverse("appointments:desk_today", kwargs={"office_code": office.code})
    assert response["Location"] == (back.format(office=office.code) if kept else today)
