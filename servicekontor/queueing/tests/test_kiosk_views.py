import pytest
from django.urls import reverse

from servicekontor.queueing.devices import create_device_token
from servicekontor.queueing.models import QueueSettings, Visit


@pytest.fixture
def kiosk_url(world):
    return reverse("queueing:kiosk", kwargs={"office_code": world.office.code})


def _agency_url(world, agency):
    return reverse(
        "queueing:agency", kwargs={"office_code": world.office.code, "agency_code": agency.code}
    )


def test_kiosk__start__lists_agencies_without_login(client, world, kiosk_url):
    response = client.get(kiosk_url)

    assert response.status_code == 200
    html = response.content.decode()
    assert world.skatteverket.name in html
    assert world.fk.name in html


def test_kiosk__take_ticket__success(client, world):
    response = client.post(
        _agency_url(world, world.skatteverket), {"service": world.tax.pk}, follow=True
    )

    assert response.redirect_chain[0][1] == 303
    assert response.status_code == 200
    assert "S-001" in response.content.decode()
    assert Visit.objects.get().service == world.tax


def test_kiosk__take_ticket__other_agencys_service_is_400(client, world):
    response = client.post(_agency_url(world, world.skatteverket), {"service": world.parental.pk})

    assert response.status_code == 400
    assert not Visit.objects.exists()


def test_kiosk__take_ticket__bad_contact_is_400(client, world):
    response = client.post(
        _agency_url(world, world.skatteverket),
        {"service": world.tax.pk, "notify_contact": "not a number"},
    )

    assert response.status_code == 400
    assert not Visit.objects.exists()


def test_kiosk__take_ticket__priority_and_contact(client, world):
    client.post(
        _agency_url(world, world.skatteverket),
        {"service": world.tax.pk, "notify_contact": "070-123 45 67", "priority": "on"},
    )

    visit = Visit.objects.get()
    assert (visit.priority, visit.notify_contact) == (10, "+46701234567")  # stored in E.164


def test_kiosk__ticket__forged_key_is_404(client, world):
    url = reverse("queueing:ticket", kwargs={"office_code": world.office.code, "key": "1"})

    assert client.get(url).status_code == 404


def test_kiosk__device_token__locked_office_needs_pairing(client, world, kiosk_url):
    QueueSettings.objects.create(office=world.office, require_device_token=True)
    token = create_device_token(office=world.office, kind="kiosk", name="Entrance")

    assert client.get(kiosk_url).status_code == 403
    pair = reverse("queueing:pair", kwargs={"office_code": world.office.code})
    assert client.get(pair, {"kind": "kiosk", "token": "wrong"}).status_code == 403
    assert client.get(pair, {"kind": "kiosk", "token": token}).status_code == 302
    assert client.get(kiosk_url).status_code == 200


# --- closed office: no tickets, and when it opens next -----------------------------------------


def test_kiosk__closed_office__says_when_it_opens_and_offers_no_ticket(client, world, clock_at):
    import datetime as dt

    from servicekontor.core.clock import STOCKHOLM

    clock_at.move_to(dt.datetime(2026, 11, 25, 16, 5, tzinfo=STOCKHOLM))
    agency_url = _agency_url(world, world.skatteverket)

    for url in (reverse("queueing:kiosk", kwargs={"office_code": world.office.code}), agency_url):
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200
        assert "Det öppnar i morgon kl. 10:00." in html
        main = html.split("<main")[1]
        # No service form and no agency to choose; the check-in entry for booked citizens stays.
        assert 'name="service"' not in html and 'class="choices"' not in main


def test_kiosk__take_ticket__refused_after_closing_redirects_with_the_reason(
    client, world, clock_at
):
    import datetime as dt

    from servicekontor.core.clock import STOCKHOLM

    url = _agency_url(world, world.skatteverket)
    client.get(url)  # the page was opened while open…
    clock_at.move_to(dt.datetime(2026, 11, 25, 16, 0, tzinfo=STOCKHOLM))  # …and sent at 16:00

    response = client.post(url, {"service": world.tax.pk})

    assert response.status_code == 303 and response["Location"] == url  # a refresh is a GET
    assert not Visit.objects.exists()
    page = client.get(url).content.decode()
    assert page.count("Det öppnar i morgon kl. 10:00.") == 2  # the message, and the page itself


def test_kiosk__ticket__nobody_serving__no_estimate(client, world):
    from servicekontor.queueing import services

    services.set_officer_status(officer=world.alice, status="back_office")
    services.set_officer_status(officer=world.bob, status="break")
    response = client.post(
        _agency_url(world, world.skatteverket),
        {"service": world.tax.pk},
        follow=True,
    )

    html = response.content.decode()
    assert "Ingen handläggare tar emot ännu" in html
    assert "Beräknad väntetid" not in html and "Du ropas upp mycket snart" not in html


# The ticket page says the ticket's state now: waiting (with the wait), called (to which
# desk), or over; it said "1 person is waiting before you" after the call (walk 2026-12-01).


def _ticket_page(client, world, visit, language="en"):
    from django.core import signing
    from django.utils import translation

    from servicekontor.queueing.views import TICKET_SALT

    key = signing.dumps(visit.pk, salt=TICKET_SALT)
    with translation.override(language):
        url = reverse("queueing:ticket", kwargs={"office_code": world.office.code, "key": key})
    response = client.get(url)
    assert response.status_code == 200
    # Never kept by a shared cache or the browser's history: a reload shows the state now.
    assert response["Cache-Control"] == "no-store" and not response.has_header("ETag")
    return response.content.decode()


@pytest.mark.parametrize(
    ("language", "called", "waiting"),
    [
        ("en", "Your number has been called. Go to desk {desk}.", "person is waiting before you"),
        ("sv", "Ditt nummer har ropats upp. Gå till disk {desk}.", "väntar före dig"),
    ],
)
def test_kiosk__ticket_page__called_says_the_desk(client, world, language, called, waiting):
    from servicekontor.queueing import services

    first = services.issue_ticket(office=world.office, service=world.tax)
    second = services.issue_ticket(office=world.office, service=world.tax)
    assert waiting in _ticket_page(client, world, second, language)
    services.call_next(officer=world.alice)
    services.call_next(officer=world.bob)
    for visit, desk in ((first, world.desk1), (second, world.desk2)):
        page = _ticket_page(client, world, visit, language)
        assert called.format(desk=desk.number) in page
        assert waiting not in page


def test_kiosk__ticket_page__finished_or_no_show_is_over(client, world, clock_at):
    import datetime as dt

    from servicekontor.queueing import services

    served = services.issue_ticket(office=world.office, service=world.tax)
    absent = services.issue_ticket(office=world.office, service=world.tax)
    services.call_visit(officer=world.alice, visit_id=served.pk)
    services.start_service(officer=world.alice, visit_id=served.pk)
    services.finish_visit(officer=world.alice, visit_id=served.pk, outcome="resolved")
    services.call_visit(officer=world.bob, visit_id=absent.pk)
    clock_at.shift(dt.timedelta(seconds=40))
    services.mark_no_show(officer=world.bob, visit_id=absent.pk)
    for visit in (served, absent):
        page = _ticket_page(client, world, visit)
        assert "This ticket's visit is over." in page
        assert "waiting before you" not in page and "has been called" not in page
    sv = _ticket_page(client, world, served, "sv")
    assert "Besöket för den här kölappen är avslutat." in sv
