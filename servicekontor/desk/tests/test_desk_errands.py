"""The desk records errands: one more errand while serving, the last one at finish."""

import datetime as dt

import pytest
from django.urls import reverse

from servicekontor.queueing import services
from servicekontor.queueing.models import Errand


@pytest.fixture
def alice(client, world):
    client.force_login(world.alice)
    return client


def _act(client, world, **data):
    return client.post(reverse("desk:act", kwargs={"office_code": world.office.code}), data)


def test_desk__errand__two_errands_with_interpreter(alice, world, clock_at):
    visit = services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)
    services.start_service(officer=world.alice, visit_id=visit.pk)
    page = alice.get(reverse("desk:desk", kwargs={"office_code": world.office.code}))
    assert b'name="interpreter_used"' in page.content
    clock_at.shift(dt.timedelta(minutes=4))

    first = _act(
        alice,
        world,
        action="errand",
        visit=visit.pk,
        service=world.tax.pk,
        outcome="resolved",
        interpreter_used="on",
        language="so",
    )
    clock_at.shift(dt.timedelta(minutes=2))
    last = _act(
        alice,
        world,
        action="finish",
        visit=visit.pk,
        service=world.parental.pk,
        outcome="e_service",
    )

    assert (first.status_code, last.status_code) == (303, 303)
    rows = list(
        Errand.objects.filter(visit=visit).values_list(
            "service_id", "outcome", "interpreter_language", "service_seconds"
        )
    )
    assert rows == [
        (world.tax.pk, "resolved", "so", 240),
        (world.parental.pk, "e_service", "", 120),
    ]


def test_desk__errand__bad_language_is_400(alice, world, clock_at):
    visit = services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)
    services.start_service(officer=world.alice, visit_id=visit.pk)

    response = _act(
        alice,
        world,
        action="finish",
        visit=visit.pk,
        outcome="resolved",
        interpreter_used="on",
        language="Swahili",
    )

    assert response.status_code == 400
    assert not Errand.objects.exists()


def test_desk__finish__split_the_time_with_a_second_errand(alice, world, clock_at):
    visit = services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)
    services.start_service(officer=world.alice, visit_id=visit.pk)
    clock_at.shift(dt.timedelta(minutes=10))

    response = _act(
        alice,
        world,
        action="finish",
        visit=visit.pk,
        outcome="resolved",
        split_service=world.parental.pk,
        split_outcome="e_service",
        split_percent="30",
    )

    assert response.status_code == 303
    rows = list(
        Errand.objects.filter(visit=visit).values_list("service_id", "outcome", "service_seconds")
    )
    assert rows == [(world.tax.pk, "resolved", 420), (world.parental.pk, "e_service", 180)]


def test_desk__finish__bad_split_share_is_400(alice, world, clock_at):
    visit = services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)
    services.start_service(officer=world.alice, visit_id=visit.pk)

    response = _act(
        alice,
        world,
        action="finish",
        visit=visit.pk,
        outcome="resolved",
        split_service=world.parental.pk,
        split_percent="100",
    )

    assert response.status_code == 400
    assert not Errand.objects.exists()
