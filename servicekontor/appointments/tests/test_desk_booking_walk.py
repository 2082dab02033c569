"""Walk findings (2026-12-01) on the officer's booking page: the day links kept no service,
a reload after booking re-posted it, the citizen's messages went in the officer's language,
and a GET of a POST-only desk URL was a blank 405."""

import re

import pytest
from django.core import mail as django_mail
from django.urls import reverse

from servicekontor.appointments.models import Booking, BookingStatus
from servicekontor.appointments.tests.conftest import TUESDAY, local
from servicekontor.messaging.models import Message
from tests.factories import make_office, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(office):
    return make_user(offices=[office])


def _hrefs(html: str, label: str) -> list[str]:
    """The hrefs of the links whose text is `label` (HTML-unescaped)."""
    return [
        href.replace("&amp;", "&")
        for href, text in re.findall(r'<a href="([^"]*)"[^>]*>([^<]*)</a>', html)
        if text.strip() == label
    ]


def _post(client, office, service, start, **extra):
    data = {
        "service": service.pk,
        "start": int(start.timestamp()),
        "name": "Medborgare",
        "email": "m@example.org",
        "language": "sv",
        **extra,
    }
    return client.post(f"/en/book/desk/{office.code}/book/?service={service.pk}", data)


def test_desk_book__day_and_week_links_keep_the_service(frozen, client, office, service, officer):
    client.force_login(officer)
    html = client.get(f"/en/book/desk/{office.code}/book/", {"service": service.pk}).content
    text = html.decode()
    day_links = re.findall(r'href="(\?[^"]*)"', text)
    assert day_links, text
    for href in day_links:
        assert f"service={service.pk}" in href, href
    (next_week,) = _hrefs(text, "Next week")
    assert "from=2025-03-17" in next_week and "day=" not in next_week
    # Following the link keeps the officer on the times of that service, not the picker.
    page = client.get(f"/en/book/desk/{office.code}/book/{next_week}").content.decode()
    assert "Free times on" in page and "Previous week" in page
    (previous,) = _hrefs(page, "Previous week")
    assert f"service={service.pk}" in previous


def test_desk_book__refused_post__day_links_still_carry_the_service(
    frozen, client, office, service, officer
):
    client.force_login(officer)
    # Posted to the bare URL (no query): the links must still name the service.
    response = client.post(
        f"/en/book/desk/{office.code}/book/",
        {"service": service.pk, "start": int(local(TUESDAY, 10).timestamp()), "name": "A"},
    )
    assert response.status_code == 400
    hrefs = re.findall(r'href="(\?[^"]*)"', response.content.decode())
    assert hrefs and all(f"service={service.pk}" in h for h in hrefs)


def test_public_times__links_keep_other_parameters_and_day_alone_finds_its_week(
    frozen, client, office, service, no_rate_limit
):
    url = reverse("appointments:times", args=[service.pk, office.code])
    text = client.get(url, {"utm": "x"}).content.decode()
    hrefs = re.findall(r'href="(\?[^"]*)"', text)
    assert hrefs and all("utm=x" in h for h in hrefs)
    # "Change time" links to ?day= only: a day two weeks ahead is shown, not this week's first.
    page = client.get(url, {"day": "2025-03-25"}).content.decode()
    assert 'day=2025-03-25&amp;from=2025-03-24" aria-current="date"' in page, page


def test_desk_book__reload_after_booking_shows_the_confirmation(
    frozen, client, office, service, officer, no_rate_limit
):
    client.force_login(officer)
    response = _post(client, office, service, local(TUESDAY, 10))
    booking = Booking.objects.get()
    assert response.status_code == 302
    location = response["Location"]
    assert location == f"/en/book/desk/{office.code}/booked/{booking.pk}/"
    # No secret in the URL (it reaches logs and the history): only the id.
    assert booking.link_key not in location and "manage" not in location
    for _reload in range(2):
        page = client.get(location)
        html = page.content.decode()
        assert page.status_code == 200
        assert "The appointment is booked" in html
        assert f"{booking.code[:4]}-{booking.code[4:]}" in html
        # the citizen's link, in the citizen's language (Swedish: no prefix), not the officer's
        assert "/book/manage/" in html and "/en/book/manage/" not in html
    assert Booking.objects.count() == 1
    assert "Status now:" not in html
    # Cancelled since (opened again from the history): the page says so.
    client.post(
        f"/en/book/desk/{office.code}/cancel/", {"code": booking.code, "confirm": booking.pk}
    )
    again = client.get(location).content.decode()
    assert "Status now:" in again and "Cancelled" in again


def test_desk_booked__only_at_the_officers_office(frozen, client, office, service, officer):
    client.force_login(officer)
    _post(client, office, service, local(TUESDAY, 10))
    booking = Booking.objects.get()
    other = make_office(code="annat")
    stranger = make_user(offices=[other])
    client.force_login(stranger)
    assert client.get(f"/en/book/desk/{office.code}/booked/{booking.pk}/").status_code == 404
    # nor the booking under the officer's own office's URL
    assert client.get(f"/en/book/desk/{other.code}/booked/{booking.pk}/").status_code == 404
    client.logout()
    anonymous = client.get(f"/en/book/desk/{office.code}/booked/{booking.pk}/")
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]


@pytest.mark.parametrize("language", ["sv", "en"])
def test_desk_book__messages_in_the_citizens_language_not_the_officers(
    frozen,
    client,
    office,
    service,
    officer,
    no_rate_limit,
    language,
    django_capture_on_commit_callbacks,
):
    client.force_login(officer)
    other = "en/" if language == "sv" else ""  # the officer's language (Swedish: no prefix)
    form = client.get(f"/{other}book/desk/{office.code}/book/", {"service": service.pk})
    assert 'name="language"' in form.content.decode()
    assert re.search(r'<option value="sv" selected>', form.content.decode())  # default
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/{other}book/desk/{office.code}/book/?service={service.pk}",
            {
                "service": service.pk,
                "start": int(local(TUESDAY, 10).timestamp()),
                "name": "Medborgare",
                "email": "m@example.org",
                "language": language,
            },
        )
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert booking.language == language
    message = Message.objects.get()
    assert message.language == language
    subject = django_mail.outbox[-1].subject if django_mail.outbox else ""
    body = django_mail.outbox[-1].body if django_mail.outbox else ""
    if language == "sv":
        assert "Bokningskod" in body, (subject, body)
    else:
        assert "Booking code" in body, (subject, body)
    # A cancel at the desk (the officer still in their language) is in the booking's too.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/{other}book/desk/{office.code}/cancel/",
            {"code": booking.code, "confirm": booking.pk},
        )
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert set(Message.objects.values_list("language", flat=True)) == {language}


def test_desk_book__unknown_language_refused(frozen, client, office, service, officer):
    client.force_login(officer)
    response = _post(client, office, service, local(TUESDAY, 10), language="xx")
    assert response.status_code == 400
    assert not Booking.objects.exists()


def test_desk_cancel_and_check_in__get_goes_to_their_page(client, office, officer):
    client.force_login(officer)
    cancel = client.get(f"/en/book/desk/{office.code}/cancel/")
    assert cancel.status_code == 303
    assert cancel["Location"] == f"/en/book/desk/{office.code}/book/"
    check_in = client.get(f"/en/book/desk/{office.code}/check-in/1/")
    assert check_in.status_code == 303
    assert check_in["Location"] == reverse("desk:desk", args=[office.code])
    assert client.put(f"/en/book/desk/{office.code}/cancel/").status_code == 405


def test_desk_book__per_person_limit__said_about_the_citizen_not_to_you(
    frozen, client, office, service, officer, no_rate_limit
):
    client.force_login(officer)
    assert _post(client, office, service, local(TUESDAY, 10)).status_code == 302
    again = _post(client, office, service, local(TUESDAY, 11))
    html = again.content.decode()
    assert again.status_code == 409
    assert "The citizen already has the most bookings allowed" in html
    assert "You already have" not in html
    assert 'class="error-summary"' in html  # the page's own error box, not a bare page
    # and in Swedish
    sv = client.post(
        f"/book/desk/{office.code}/book/?service={service.pk}",
        {
            "service": service.pk,
            "start": int(local(TUESDAY, 12).timestamp()),
            "name": "Medborgare",
            "email": "m@example.org",
            "language": "sv",
        },
    )
    assert sv.status_code == 409 and "Besökaren har redan" in sv.content.decode()
    assert Booking.objects.count() == 1
