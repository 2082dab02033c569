import pytest
from django.urls import reverse

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

    assert response.status_code == 409
    assert "Nobody is waiting" in response.content.decode() or "Ingen" in response.content.decode()


def test_desk__finish__not_being_served_is_409_and_nothing_changes(alice, world):
    visit = services.issue_ticket(office=world.office, service=world.tax)
    _act(alice, world, action="call_next")

    response = _act(alice, world, action="finish", visit=visit.pk, outcome="resolved")

    assert response.status_code == 409
    visit.refresh_from_db()
    assert visit.state == "called"


def test_desk__transfer__service_not_offered_is_400(alice, world):
    from tests.factories import make_service

    visit = services.issue_ticket(office=world.office, service=world.tax)
    _act(alice, world, action="call_next")
    elsewhere = make_service(agency=world.fk)

    response = _act(alice, world, action="transfer", visit=visit.pk, service=elsewhere.pk)

    assert response.status_code == 400
    visit.refresh_from_db()
    assert visit.service == world.tax


def test_desk__finish__someone_elses_visit_is_403(client, world):
    visit = services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)
    services.start_service(officer=world.alice, visit_id=visit.pk)
    client.force_login(world.bob)

    response = _act(client, world, action="finish", visit=visit.pk, outcome="resolved")

    assert response.status_code == 403
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

    assert response.status_code == 400


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
