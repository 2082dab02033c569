"""The officer's booking pages (walk, 2026-12-02): a way back to the desk on each, the
confirmation's way named (sms to the number, e-mail to the address, or none: the rule the
sending follows, `mail.contact_channel`), and one word for the person served ("besökaren")."""

import re

import pytest

from servicekontor.appointments import services
from servicekontor.appointments.models import Booking
from servicekontor.appointments.tests.conftest import TUESDAY, local
from tests.factories import make_user

pytestmark = pytest.mark.django_db

BACK = "Tillbaka till disken <kbd>B</kbd></a>"  # Alt+B, as every way back to the desk


@pytest.fixture
def officer(office):
    return make_user(offices=[office])


def _booked(office, service, **contact):
    return services.book_appointment(
        office=office,
        service=service,
        starts_at=local(TUESDAY, 10),
        contact=services.Contact(name="Anna Svensson", **contact),
    ).booking


@pytest.mark.parametrize(
    ("contact", "said"),
    [
        ({"phone": "070-123 45 67"}, "Besökaren får bekräftelsen med sms till +46701234567."),
        ({"email": "a@example.org"}, "Besökaren får bekräftelsen med e-post till a@example.org."),
        # both: the sending's rule mails the address (and sends no sms)
        (
            {"email": "a@example.org", "phone": "070-123 45 67"},
            "Besökaren får bekräftelsen med e-post till a@example.org.",
        ),
    ],
)
def test_desk_booked__says_which_way_the_confirmation_goes(
    frozen, client, office, service, officer, contact, said
):
    booking = _booked(office, service, **contact)
    client.force_login(officer)
    html = client.get(f"/book/desk/{office.code}/booked/{booking.pk}/").content.decode()
    assert said in html
    assert "e-post eller sms" not in html


def test_desk_booked__no_contact_left__says_none_is_sent(frozen, client, office, service, officer):
    booking = _booked(office, service, email="a@example.org")
    Booking.objects.filter(pk=booking.pk).update(email="", phone="")  # purged, say
    client.force_login(officer)
    html = client.get(f"/book/desk/{office.code}/booked/{booking.pk}/").content.decode()
    assert "Besökaren får ingen bekräftelse" in html


def test_desk_booking_pages__a_way_back_to_the_desk(frozen, client, office, service, officer):
    booking = _booked(office, service, email="a@example.org")
    client.force_login(officer)
    desk = f'href="/desk/{office.code}/"'
    for url in (
        f"/book/desk/{office.code}/book/",
        f"/book/desk/{office.code}/book/?service={service.pk}",
        f"/book/desk/{office.code}/booked/{booking.pk}/",
    ):
        html = client.get(url).content.decode()
        assert re.search(f"{desk}[^>]*>{BACK}", html), url  # Alt+B
    # a refused cancel answers with the same page, its way back too
    refused = client.post(f"/book/desk/{office.code}/cancel/", {"code": "x"})
    assert re.search(f"{desk}[^>]*>{BACK}", refused.content.decode())


def test_desk_booking_pages__one_word_for_the_person_served(
    frozen, client, office, service, officer
):
    service.requires_identification = True
    service.save()
    booking = _booked(office, service, email="a@example.org")
    client.force_login(officer)
    pages = [
        client.get(f"/book/desk/{office.code}/book/?service={service.pk}"),
        client.get(f"/book/desk/{office.code}/booked/{booking.pk}/"),
        client.post(f"/book/desk/{office.code}/cancel/", {"code": booking.code}),
    ]
    for page in pages:
        html = page.content.decode()
        assert "besökare" in html.lower()
        assert "medborgar" not in html.lower()


@pytest.mark.parametrize(
    ("prefix", "words"), [("", "Tillbaka till disken"), ("/en", "Back to the desk")]
)
def test_desk_booked__the_way_back_to_the_desk_has_the_focus(
    frozen, client, office, service, officer, prefix, words
):
    """Walk F19's kind: an officer's page after a desk action gives the keyboard the way
    back (the handover receipt does the same): Enter returns to the desk."""
    booking = _booked(office, service, email="a@example.org")
    client.force_login(officer)
    html = client.get(f"{prefix}/book/desk/{office.code}/booked/{booking.pk}/").content.decode()
    assert (
        f'id="back-to-desk" accesskey="b" aria-keyshortcuts="Alt+B" autofocus>{words} <kbd>B</kbd></a>'
        in html
    )
    assert html.count("autofocus") == 1
