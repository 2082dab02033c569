"""Signing out of the account leaves the desk, as "Leave the desk" does: the live view no
longer shows the desk staffed, the screens are told, and a later login starts without one."""

from unittest import mock

import pytest
from django.urls import reverse

from servicekontor.queueing import services
from servicekontor.queueing.models import DeskActivity, DeskSession, DeskStatusEvent, Visit
from servicekontor.queueing.queries import staff_version
from servicekontor.queueing.tests.conftest import build_world
from tests.factories import make_user


def _log_out(client):
    return client.post(reverse("accounts:logout"))


def _live_officers(client, office):
    response = client.get(reverse("desk:live_panel", kwargs={"office_code": office.code}))
    assert response.status_code == 200
    return response.content.decode()


def test_logout__closes_the_desk_session_as_leaving_the_desk_does(
    client, world, django_capture_on_commit_callbacks
):
    manager = make_user(role="office_manager", offices=[world.office])
    client.force_login(manager)
    assert "alice" in _live_officers(client, world.office)
    before = staff_version(office_id=world.office.pk)
    client.force_login(world.alice)

    with (
        mock.patch("servicekontor.queueing.push.publish") as publish,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = _log_out(client)

    assert response.status_code == 302
    assert not DeskSession.objects.filter(officer=world.alice).exists()
    last = DeskStatusEvent.objects.filter(officer=world.alice).latest("id")
    assert (last.status, last.service_point_id) == (DeskActivity.SIGNED_OUT, world.desk1.pk)
    publish.assert_called_once_with(office_id=world.office.pk, parts=("live",))
    assert staff_version(office_id=world.office.pk) != before
    # bob's desk is his own: still staffed
    assert DeskSession.objects.filter(officer=world.bob).exists()
    client.force_login(manager)
    officers = _live_officers(client, world.office)
    assert "alice" not in officers
    assert "bob" in officers


def test_logout__without_a_desk_session_is_a_plain_logout(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.charlie)  # works at the other office, signed in at no desk
    events = DeskStatusEvent.objects.count()

    with (
        mock.patch("servicekontor.queueing.push.publish") as publish,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = _log_out(client)

    assert response.status_code == 302
    assert DeskStatusEvent.objects.count() == events
    publish.assert_not_called()
    assert DeskSession.objects.count() == 2  # alice's and bob's stay


def test_logout__a_desk_at_another_office_is_closed_there(
    client, world, django_capture_on_commit_callbacks
):
    charlie_desk = world.other_office.service_points.order_by("number").first()
    services.sign_in_at_desk(officer=world.charlie, service_point=charlie_desk)
    client.force_login(world.charlie)

    with (
        mock.patch("servicekontor.queueing.push.publish") as publish,
        django_capture_on_commit_callbacks(execute=True),
    ):
        _log_out(client)

    assert not DeskSession.objects.filter(officer=world.charlie).exists()
    publish.assert_called_once_with(office_id=world.other_office.pk, parts=("live",))
    assert set(DeskSession.objects.values_list("office_id", flat=True)) == {world.office.pk}


def test_logout__a_second_login_does_not_bring_the_desk_back(client, world):
    client.force_login(world.alice)
    _log_out(client)

    client.force_login(world.alice)
    response = client.get(reverse("desk:desk", kwargs={"office_code": world.office.code}))

    assert response.status_code == 303
    assert response["Location"] == f"{reverse('desk:choose')}?office={world.office.code}"
    assert not DeskSession.objects.filter(officer=world.alice).exists()
    current = reverse("desk:current", kwargs={"office_code": world.office.code})
    assert client.get(current).status_code == 403


@pytest.mark.parametrize("serving", [False, True])
def test_logout__a_visit_at_the_desk_is_parked_not_left_behind(client, world, serving):
    visit = services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)
    if serving:
        services.start_service(officer=world.alice, visit_id=visit.pk)
    client.force_login(world.alice)

    assert _log_out(client).status_code == 302

    visit.refresh_from_db()
    assert (visit.state, visit.officer_id, visit.service_point_id) == ("on_hold", None, None)
    assert not DeskSession.objects.filter(officer=world.alice).exists()
    # and the officer can take a desk again (a busy officer could not)
    services.sign_in_at_desk(officer=world.alice, service_point=world.desk1)


def test_logout__a_desk_that_will_not_let_go_does_not_stop_the_logout(client, world):
    visit = services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)
    client.force_login(world.alice)

    with mock.patch.object(services, "hold_visit", side_effect=services.NotAllowed("no")) as hold:
        response = _log_out(client)

    assert hold.called
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session  # logged out all the same
    assert DeskSession.objects.filter(officer=world.alice).exists()  # nothing half-done
    assert Visit.objects.get(pk=visit.pk).state == "called"


@pytest.mark.django_db(transaction=True)
def test_logout__outside_a_test_transaction(client, clock_at):
    world = build_world()
    client.force_login(world.alice)

    with mock.patch("servicekontor.queueing.push.publish") as publish:
        assert _log_out(client).status_code == 302

    assert not DeskSession.objects.filter(officer=world.alice).exists()
    publish.assert_called_once_with(office_id=world.office.pk, parts=("live",))
