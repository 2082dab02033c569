from django.urls import reverse

from servicekontor.queueing import services
from servicekontor.queueing.models import QueueSettings


def test_display__page__no_login_and_no_personal_data(client, world):
    services.issue_ticket(office=world.office, service=world.tax, notify_contact="anna@example.org")
    services.call_next(officer=world.alice)

    response = client.get(reverse("lobby:display", kwargs={"office_code": world.office.code}))

    assert response.status_code == 200
    html = response.content.decode()
    assert "S-001" in html
    assert "anna@" not in html
    assert world.tax.name not in html  # not even the service: ticket and desk only


def test_display__board__304_until_something_changes(client, world):
    url = reverse("lobby:board", kwargs={"office_code": world.office.code})
    first = client.get(url)
    etag = first["ETag"]

    assert client.get(url, headers={"if-none-match": etag}).status_code == 304

    services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)
    changed = client.get(url, headers={"if-none-match": etag})

    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert "S-001" in changed.content.decode()


def test_display__board__locked_office_refuses_unpaired(client, world):
    QueueSettings.objects.create(office=world.office, require_device_token=True)

    url = reverse("lobby:board", kwargs={"office_code": world.office.code})
    assert client.get(url).status_code == 403


def _board(client, world):
    from django.utils import translation

    with translation.override("en"):
        return client.get(reverse("lobby:board", kwargs={"office_code": world.office.code}))


def test_display__board__every_active_call_stands_out_the_newest_most(client, world, clock_at):
    import datetime as dt

    first = services.issue_ticket(office=world.office, service=world.tax)
    second = services.issue_ticket(office=world.office, service=world.tax)
    services.call_visit(officer=world.alice, visit_id=first.pk)
    clock_at.shift(dt.timedelta(seconds=5))
    services.call_visit(officer=world.bob, visit_id=second.pk)

    html = _board(client, world).content.decode()

    active = html.split('<ul class="active">')[1].split("</ul>")[0]
    assert '<li class="call newest">S-002' in active
    assert '<li class="call">S-001' in active  # the older call still stands out
    assert 'class="earlier"' not in html
    assert "Now serving S-002, desk 2" in html  # the text for the live region


def test_display__board__finished_visit_is_no_longer_now_serving(client, world, clock_at):
    import datetime as dt

    visit = services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)
    url = reverse("lobby:board", kwargs={"office_code": world.office.code})
    etag = client.get(url)["ETag"]
    services.start_service(officer=world.alice, visit_id=visit.pk)

    started = client.get(url, headers={"if-none-match": etag})  # the version moved
    assert started.status_code == 200
    clock_at.shift(dt.timedelta(minutes=5))
    services.finish_visit(officer=world.alice, visit_id=visit.pk, outcome="resolved")
    html = _board(client, world).content.decode()

    assert 'class="active"' not in html and "Now serving" not in html
    assert "S-001" in html.split('<ul class="earlier">')[1]  # listed, muted
    assert 'id="board-announcement"' not in html


def test_display__page__live_region_outside_the_replaced_board(client, world):
    html = client.get(
        reverse("lobby:display", kwargs={"office_code": world.office.code})
    ).content.decode()

    board = html.split('<div id="board"')[1].split('<p id="announcer"')[0]
    assert "aria-live" not in board  # the board is replaced; the live region is not in it
    assert '<p id="announcer" class="visually-hidden" aria-live="polite"' in html
