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


def test_display__board__says_closed_as_the_kiosk_does_and_turns_at_closing_time(
    client, world, clock_at
):
    """Walk finding 2026-12-01: after closing the board welcomed people to take a ticket while
    the kiosk said the office is closed. The board says what the kiosk says, and its version
    changes at closing time with no queue event (decision 0027's shared fragment)."""
    import datetime as dt

    from django.utils import translation

    from servicekontor.core.clock import STOCKHOLM

    clock_at.move_to(dt.datetime(2026, 11, 25, 15, 59, tzinfo=STOCKHOLM))
    with translation.override("en"):
        url = reverse("lobby:board", kwargs={"office_code": world.office.code})
        kiosk = reverse("queueing:kiosk", kwargs={"office_code": world.office.code})
        open_board = client.get(url)
        assert "Welcome! Take a queue ticket" in open_board.content.decode()
        assert "closed" not in open_board.content.decode()

        clock_at.move_to(dt.datetime(2026, 11, 25, 16, 0, 1, tzinfo=STOCKHOLM))
        closed = client.get(url, headers={"if-none-match": open_board["ETag"]})
        assert closed.status_code == 200  # no queue event, yet a new board
        html = closed.content.decode()
        assert "Welcome! Take a queue ticket" not in html
        words = (
            "The office is closed now, and no queue tickets are given. It opens tomorrow at 10:00."
        )
        assert words in html
        assert words in client.get(kiosk).content.decode()  # the kiosk's very words

        # Closed on Sunday: opens Monday.
        clock_at.move_to(dt.datetime(2026, 11, 29, 12, 0, tzinfo=STOCKHOLM))
        assert "It opens tomorrow at 10:00." in client.get(url).content.decode()

        clock_at.move_to(dt.datetime(2026, 11, 30, 10, 0, 1, tzinfo=STOCKHOLM))
        opened = client.get(url).content.decode()
        assert "Welcome! Take a queue ticket" in opened
        assert "closed" not in opened


def test_display__board__closed_with_calls_still_shows_the_calls(client, world, clock_at):
    """Officers finish the line after closing: the calls stay on the board, with the note."""
    import datetime as dt

    from servicekontor.core.clock import STOCKHOLM

    services.issue_ticket(office=world.office, service=world.tax)
    clock_at.move_to(dt.datetime(2026, 11, 25, 16, 5, tzinfo=STOCKHOLM))
    services.call_next(officer=world.alice)

    html = _board(client, world).content.decode()

    assert "S-001" in html
    assert "The office is closed now" in html


def test_display__page__has_a_heading_and_a_language_switch(client, world):
    """axe page-has-heading-one; a visitor who reads no Swedish can switch the display."""
    html = client.get(reverse("lobby:display", kwargs={"office_code": world.office.code}))
    html = html.content.decode()

    assert f"<h1>{world.office.name}</h1>" in html
    assert 'name="language" value="en"' in html
