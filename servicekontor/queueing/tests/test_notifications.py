import datetime as dt

import pytest

from servicekontor.queueing import services
from servicekontor.queueing.notifications import MemoryBackend, mask, notify_near_visits
from tests.factories import make_offering


@pytest.fixture
def outbox(settings):
    settings.QUEUE_NOTIFICATION_BACKEND = "servicekontor.queueing.notifications.MemoryBackend"
    MemoryBackend.outbox = []
    return MemoryBackend.outbox


def test_notifications__notify_near_visits__once_when_near_the_front(
    world, clock_at, outbox, django_capture_on_commit_callbacks
):
    for i in range(5):
        services.issue_ticket(
            office=world.office, service=world.tax, notify_contact=f"person{i}@example.org"
        )
        clock_at.shift(dt.timedelta(seconds=10))

    with django_capture_on_commit_callbacks(execute=True):
        services.call_next(officer=world.alice)  # 4 left; the first 4 (3 ahead + 1) are told

    assert sorted(to for to, _m in outbox) == [
        "person1@example.org",
        "person2@example.org",
        "person3@example.org",
        "person4@example.org",
    ]
    assert any("S-002" in message for _to, message in outbox)

    with django_capture_on_commit_callbacks(execute=True):
        services.call_next(officer=world.bob)

    assert len(outbox) == 4  # nobody is told twice


def test_notifications__notify_near_visits__only_waiting_contacts_of_this_office(world, outbox):
    make_offering(office=world.other_office, service=world.tax)
    services.issue_ticket(
        office=world.other_office, service=world.tax, notify_contact="elsewhere@example.org"
    )
    services.issue_ticket(office=world.office, service=world.tax)  # no contact
    assert notify_near_visits(office_id=world.office.pk) == 0

    services.issue_ticket(office=world.office, service=world.tax, notify_contact="x@example.org")
    assert notify_near_visits(office_id=world.office.pk) == 1
    assert notify_near_visits(office_id=world.office.pk) == 0  # told once
    assert [to for to, _m in outbox] == ["x@example.org"]


def test_notifications__mask__hides_the_contact():
    assert mask("anna.andersson@example.org") == "an…rg"
    assert "1234" not in mask("070-1234567")
