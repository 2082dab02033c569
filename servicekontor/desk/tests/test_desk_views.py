import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from servicekontor.queueing import services
from servicekontor.queueing.models import DeskSession, Visit
from tests.factories import make_user


@pytest.fixture
def alice(client, world):
    client.force_login(world.alice)
    return client


def _act(client, world, **data):
    return client.post(reverse("desk:act", kwargs={"office_code": world.office.code}), data)


def test_desk__page__shows_the_waiting_list_and_bookings_spot(alice, world):
    services.issue_ticket(office=world.office, service=world.tax)

    response = alice.get(reverse("desk:desk", kwargs={"office_code": world.office.code}))

    assert response.status_code == 200
    html = response.content.decode()
    assert "S-001" in html
    assert "Today" in html or "Dagens" in html


def test_desk__page__requires_login(client, world):
    response = client.get(reverse("desk:desk", kwargs={"office_code": world.office.code}))

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_desk__call_next__full_day_round_trip(alice, world):
    visit = services.issue_ticket(office=world.office, service=world.tax)

    assert _act(alice, world, action="call_next").status_code == 303
    assert _act(alice, world, action="start", visit=visit.pk).status_code == 303
    response = _act(alice, world, action="finish", visit=visit.pk, outcome="e_service")

    assert response.status_code == 303
    visit.refresh_from_db()
    assert (visit.state, visit.outcome) == ("finished", "e_service")
    assert list(visit.events.values_list("action", flat=True)) == [
        "issue",
        "call",
        "start",
        "finish",
    ]


def test_desk__call_next__empty_queue_is_409(alice, world):
    response = _act(alice, world, action="call_next")

    assert (response.status_code, response["X-Refused"]) == (303, "409")
    assert response["Location"] == reverse("desk:desk", args=[world.office.code])
    page = alice.get(response["Location"]).content.decode()
    assert '<p class="message error" role="alert">' in page
    assert "Nobody is waiting" in page or "Ingen" in page
    again = alice.get(response["Location"]).content.decode()
    assert "Nobody is waiting" not in again and "Ingen" not in again  # shown once


def test_desk__finish__not_being_served_is_409_and_nothing_changes(alice, world):
    visit = services.issue_ticket(office=world.office, service=world.tax)
    _act(alice, world, action="call_next")

    response = _act(alice, world, action="finish", visit=visit.pk, outcome="resolved")

    assert (response.status_code, response["X-Refused"]) == (303, "409")
    visit.refresh_from_db()
    assert visit.state == "called"


def test_desk__transfer__service_not_offered_is_400(alice, world):
    from tests.factories import make_service

    visit = services.issue_ticket(office=world.office, service=world.tax)
    _act(alice, world, action="call_next")
    elsewhere = make_service(agency=world.fk)

    response = _act(alice, world, action="transfer", visit=visit.pk, service=elsewhere.pk)

    assert (response.status_code, response["X-Refused"]) == (303, "400")
    visit.refresh_from_db()
    assert visit.service == world.tax


def test_desk__finish__someone_elses_visit_is_403(client, world):
    visit = services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)
    services.start_service(officer=world.alice, visit_id=visit.pk)
    client.force_login(world.bob)

    response = _act(client, world, action="finish", visit=visit.pk, outcome="resolved")

    assert (response.status_code, response["X-Refused"]) == (303, "403")
    visit.refresh_from_db()
    assert visit.state == "serving"


def test_desk__choose__sign_in_at_a_desk(client, world):
    officer = make_user(offices=[world.office], agencies=[world.fk])
    client.force_login(officer)
    point = world.office.service_points.create(number=9)

    response = client.post(reverse("desk:choose"), {"service_point": point.pk})

    assert response.status_code == 303
    assert DeskSession.objects.get(officer=officer).service_point == point


def test_desk__choose__desk_of_another_office_is_400(client, world):
    client.force_login(world.charlie)

    response = client.post(reverse("desk:choose"), {"service_point": world.desk1.pk})

    assert (response.status_code, response["X-Refused"]) == (303, "400")


def test_desk__add_walk_in__from_the_desk(alice, world):
    response = _act(alice, world, action="add", service=world.parental.pk)

    assert response.status_code == 303
    assert Visit.objects.get().source == "desk"


def test_desk__live__manager_only(client, world):
    manager = make_user(role="office_manager", offices=[world.office])
    url = reverse("desk:live", kwargs={"office_code": world.office.code})
    client.force_login(world.alice)
    assert client.get(url).status_code == 403

    client.force_login(manager)
    services.issue_ticket(office=world.office, service=world.tax)
    response = client.get(url)

    assert response.status_code == 200
    assert world.tax.name in response.content.decode()


def test_desk__panel__fragment_polls(alice, world):
    services.issue_ticket(office=world.office, service=world.tax)

    response = alice.get(reverse("desk:panel", kwargs={"office_code": world.office.code}))

    assert response.status_code == 200
    assert b"waiting-panel" in response.content
    assert b"<html" not in response.content


def test_desk__call_next__not_signed_in_goes_to_choose_a_desk(client, world):
    services.issue_ticket(office=world.office, service=world.tax)
    client.force_login(world.charlie)

    response = _act(client, world, action="call_next")

    assert response.status_code == 303
    assert response["Location"] == reverse("desk:choose")
    assert not Visit.objects.filter(state="called").exists()


def test_desk__call_next__confirmation_shown_after_redirect(alice, world):
    services.issue_ticket(office=world.office, service=world.tax)

    response = alice.post(
        reverse("desk:act", kwargs={"office_code": world.office.code}),
        {"action": "call_next"},
        follow=True,
    )

    assert response.status_code == 200
    assert "S-001" in response.content.decode()
    assert response.redirect_chain[0][1] == 303


def test_desk__status__shows_serving_while_a_visit_is_at_the_desk(alice, world):
    visit = services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)
    with translation.override("en"):
        url = reverse("desk:desk", kwargs={"office_code": world.office.code})

    called = alice.get(url).content.decode()
    services.start_service(officer=world.alice, visit_id=visit.pk)
    serving = alice.get(url).content.decode()

    assert "calling S-001" in called
    assert "serving S-001" in serving
    assert 'name="status"' not in serving  # no "Ready" select while serving
    services.finish_visit(officer=world.alice, visit_id=visit.pk, outcome="resolved")
    assert 'name="status"' in alice.get(url).content.decode()


def test_desk__current_part__a_second_tab_follows_the_first(alice, world):
    """Tab 2 holds the desk's own part (its version is in the page); tab 1 calls a visit:
    tab 2's next poll gets the called visit; until then, 304s."""
    services.issue_ticket(office=world.office, service=world.tax)
    page = alice.get(reverse("desk:desk", kwargs={"office_code": world.office.code}))
    url = reverse("desk:current", kwargs={"office_code": world.office.code})
    etag = page.context["current_etag"]
    assert f'data-poll-etag="{escape(etag)}"' in page.content.decode()
    assert alice.get(url, headers={"if-none-match": etag}).status_code == 304
    services.issue_ticket(office=world.office, service=world.tax)  # another visit arrives
    assert alice.get(url, headers={"if-none-match": etag}).status_code == 304  # not ours

    _act(alice, world, action="call_next")  # "the first tab"
    changed = alice.get(url, headers={"if-none-match": etag})

    assert changed.status_code == 200
    assert "S-001" in changed.content.decode()
    assert 'name="action" value="start"' in changed.content.decode()
    etag = changed["ETag"]
    services.start_service(officer=world.alice, visit_id=Visit.objects.get(state="called").pk)
    assert alice.get(url, headers={"if-none-match": etag}).status_code == 200


def test_desk__current_part__status_change_moves_it(alice, world):
    url = reverse("desk:current", kwargs={"office_code": world.office.code})
    etag = alice.get(url)["ETag"]

    services.set_officer_status(officer=world.alice, status="break")

    assert alice.get(url, headers={"if-none-match": etag}).status_code == 200


def test_desk__current_part__not_signed_in_here_is_403(client, world):
    client.force_login(world.charlie)
    url = reverse("desk:current", kwargs={"office_code": world.office.code})

    assert client.get(url).status_code == 403


def test_desk__sign_out__refused_with_a_visit_redirects_with_the_reason(alice, world):
    services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)

    response = alice.post(reverse("desk:sign_out"))

    assert (response.status_code, response["X-Refused"]) == (303, "409")
    assert response["Location"] == reverse("desk:desk", args=[world.office.code])
    assert 'role="alert"' in alice.get(response["Location"]).content.decode()
    assert DeskSession.objects.filter(officer=world.alice).exists()


def test_desk__choose__moving_with_a_visit_open_redirects_with_the_reason(alice, world):
    services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)
    third = world.office.service_points.create(number=3)

    response = alice.post(reverse("desk:choose"), {"service_point": third.pk})

    assert (response.status_code, response["X-Refused"]) == (303, "409")
    assert response["Location"] == reverse("desk:choose")
    assert DeskSession.objects.get(officer=world.alice).service_point == world.desk1
