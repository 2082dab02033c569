"""The screens' office from the shared registry cache (`devices.screen_office`): cheaper than
the ORM read on every board poll and kiosk page, and never stale where it matters. A change of
the office's queue settings (pairing required or not), of the office itself (closed for good)
or its deletion reaches the next request at once; the device tokens are read every time."""

import datetime as dt

from django.test import Client
from django.urls import reverse

from servicekontor.core import clock
from servicekontor.queueing import devices
from servicekontor.queueing.models import DeviceKind, QueueSettings


def _board(world) -> str:
    return reverse("lobby:board", kwargs={"office_code": world.office.code})


def _kiosk(world) -> str:
    return reverse("queueing:kiosk", kwargs={"office_code": world.office.code})


def test_screen_office__pairing_required_after_the_office_was_cached__refused_at_once(world):
    client = Client()
    assert client.get(_board(world)).status_code == 200  # the office is now in the cache
    assert client.get(_kiosk(world)).status_code == 200

    QueueSettings.objects.create(office=world.office, require_device_token=True)

    assert client.get(_board(world)).status_code == 403
    assert client.get(_kiosk(world)).status_code == 403


def test_screen_office__pairing_no_longer_required__shown_again(world):
    settings_row = QueueSettings.objects.create(office=world.office, require_device_token=True)
    client = Client()
    assert client.get(_board(world)).status_code == 403

    settings_row.require_device_token = False
    settings_row.save()
    assert client.get(_board(world)).status_code == 200

    QueueSettings.objects.filter(pk=settings_row.pk).delete()
    assert client.get(_board(world)).status_code == 200


def test_screen_office__paired_device_token_deactivated__refused_although_office_cached(world):
    QueueSettings.objects.create(office=world.office, require_device_token=True)
    token = devices.create_device_token(office=world.office, kind=DeviceKind.DISPLAY, name="Hall")
    client = Client()
    pair = reverse("queueing:pair", kwargs={"office_code": world.office.code})
    client.get(pair, {"token": token, "kind": DeviceKind.DISPLAY})
    assert client.get(_board(world)).status_code == 200

    world.office.device_tokens.update(is_active=False)  # a bulk write: no signal

    assert client.get(_board(world)).status_code == 403


def test_screen_office__office_closed_for_good_after_it_was_cached__404(world):
    client = Client()
    assert client.get(_board(world)).status_code == 200

    world.office.closed_on = clock.local_today() - dt.timedelta(days=1)
    world.office.save()

    assert client.get(_board(world)).status_code == 404
    assert client.get(_kiosk(world)).status_code == 404


def test_screen_office__unknown_office__404(world):
    assert (
        Client().get(reverse("lobby:board", kwargs={"office_code": "nowhere"})).status_code == 404
    )


def test_screen_office__settings_come_along__no_statement_for_them(
    world, django_assert_num_queries
):
    QueueSettings.objects.create(office=world.office, require_device_token=False)
    devices.screen_office(code=world.office.code)  # cached

    with django_assert_num_queries(0):
        office = devices.screen_office(code=world.office.code)
        assert QueueSettings.for_office(office).require_device_token is False


def test_screen_office_by_id__changes_seen__unknown_none(world):
    office = devices.screen_office_by_id(office_id=world.office.pk)
    assert office is not None and office == world.office
    assert QueueSettings.for_office(office).require_device_token is False
    assert devices.screen_office_by_id(office_id=world.office.pk + 1000) is None

    world.office.name = "Luleå servicekontor"
    world.office.save()
    QueueSettings.objects.create(office=world.office, require_device_token=True)

    office = devices.screen_office_by_id(office_id=world.office.pk)
    assert office is not None and office.name == "Luleå servicekontor"
    assert QueueSettings.for_office(office).require_device_token is True


def test_screen_office_by_id__settings_come_along__no_statement_for_them(
    world, django_assert_num_queries
):
    devices.screen_office_by_id(office_id=world.office.pk)  # cached, without settings

    with django_assert_num_queries(0):
        office = devices.screen_office_by_id(office_id=world.office.pk)
        assert office is not None
        assert devices.devices_still_allowed(
            office=office, kind=DeviceKind.DISPLAY, ids=[0, 7]
        ) == {0, 7}
