"""The lobby display: who is called to which desk. Public, no login, no personal data.

The page polls a small fragment every second with `If-None-Match`; the ETag is the office's
queue version (`queries.queue_version`), so an unchanged board costs one index scan and a 304. Nothing is held in
the app-server process, so any number of server processes can answer, and after a restart
the display simply gets its next answer (docs/queue.md has the measurement behind polling).

The screen-reader live region stays on the page (`display.html`); the script replaces the
board and then writes the newest call's text into it, so the call is announced.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from servicekontor.core import clock
from servicekontor.core.conditional import conditional, make_etag, shared_html, shared_template
from servicekontor.core.params import MAX_ID, parse_int
from servicekontor.network import registry_cache
from servicekontor.network.models import Office
from servicekontor.network.registry_cache import OpenNow
from servicekontor.queueing import devices, push, queries
from servicekontor.queueing.models import DeviceKind

CALLS_SHOWN = 6
MAX_PUSHED_DEVICES = 500  # far more displays than an office has


def _board_context(office: Office, opening: OpenNow) -> dict[str, object]:
    """Active calls (still called: the citizen has not reached the desk), newest first, each
    standing out and the newest most; then earlier calls, muted; the count waiting. One
    statement of light rows (`queries.board`); the newest call's key (ticket, desk, time of
    the call to the microsecond, which the display's script announces once) formatted here.
    `opening`: whether the office is open (the kiosk's words when it is not: the board must
    not welcome people to take a ticket the kiosk refuses)."""
    calls, waiting = queries.board(office=office, limit=CALLS_SHOWN)
    active = [call for call in calls if call.active]
    newest = active[0] if active else None
    return {
        "office": office,
        "active": active,
        "newest": newest,
        "newest_key": _announcement_key(newest) if newest is not None else "",
        "earlier": [call for call in calls if not call.active],
        "waiting": waiting,
        "opening": opening,
    }


def _announcement_key(call: queries.Call) -> str:
    """The announcement's key: ticket, desk, the call's seconds since the epoch and its
    microseconds ("S-023-2-1764584442.001234"), as `{{ at|date:'U.u' }}` wrote them."""
    return f"{call.ticket}-{call.desk}-{int(call.at.timestamp())}.{call.at.microsecond:06d}"


def board_version(office: Office) -> tuple[str, OpenNow]:
    """The lobby board's version: the queue's (`queries.queue_version`, part "board") and the
    office's opening state (`OpenNow.token`), so the board changes at opening and closing
    time with no queue event: the display's safety-net poll (once a minute under push) then
    gets the new board. Whatever renders or pushes the shared board fragment must key it by
    this, not by the queue version alone. Returns the version and the opening state."""
    opening = registry_cache.open_now(office=office, at=clock.now())
    version = queries.queue_version(office_id=office.pk, part="board")
    return f"{version}.{opening.token}", opening


@require_GET
def display(request: HttpRequest, office_code: str) -> HttpResponse:
    office = devices.screen_office(code=office_code)
    device = devices.allowed_device(request, office=office, kind=DeviceKind.DISPLAY)
    if device is None:
        return render(request, "queueing/device_required.html", {"office": office}, status=403)
    # The display's stream carries the board's HTML only (decision 0062), and only while the
    # device may see it (the push server ends it once the app says otherwise).
    opening = registry_cache.open_now(office=office, at=clock.now())
    context = _board_context(office, opening) | {
        "push_url": push.board_stream_url(office.pk, get_language(), device)
    }
    return render(request, "lobby/display.html", context)


@require_GET
def board(request: HttpRequest, office_code: str) -> HttpResponse:
    office = devices.screen_office(code=office_code)
    if not devices.device_allowed(request, office=office, kind=DeviceKind.DISPLAY):
        return HttpResponse(status=403)
    version, opening = board_version(office)
    etag = make_etag("board", version)
    return conditional(
        request,
        etag=etag,
        # One render per version for every display of the office (decision 0027).
        render=lambda: HttpResponse(
            shared_html(
                request,
                key=f"fragment:board:{office.pk}:{etag}",
                template="lobby/_board.html",
                context=lambda: _board_context(office, opening),
            )
        ),
        private=False,
    )


@require_GET
def pushed_board(request: HttpRequest, office_id: int) -> HttpResponse:
    """The board for the push server (decision 0062): asked once per change of the office's
    board and language, sent on the displays' streams. The same shared entry as the
    displays' polls (`board`); only the push server's key opens it (403 otherwise).

    `?devices=` (ids, comma-separated: the devices of the streams it would send the board to,
    0 for a screen shown without pairing): the answer's `X-Push-Devices` names those that may
    still see it (`devices.devices_still_allowed`); the push server ends the others' streams.
    Values that are not ids are left out."""
    language = push.fetch_language(request)
    if language is None:
        return HttpResponse(status=403)
    # From the shared registry cache, with its queue settings: an ORM read of the office was
    # a third of this request's CPU (it is asked after every change of the board), one of
    # its settings (`devices_still_allowed`) a quarter.
    office = devices.screen_office_by_id(office_id=office_id)
    if office is None:
        return HttpResponse(status=404)
    asked = {
        device
        for raw in request.GET.get("devices", "").split(",")[:MAX_PUSHED_DEVICES]
        if (device := parse_int(raw, minimum=0, maximum=MAX_ID)) is not None
    }
    allowed = devices.devices_still_allowed(office=office, kind=DeviceKind.DISPLAY, ids=asked)
    with translation.override(language):
        # keyed as the displays' polls key it: the queue's version and the opening state
        version, opening = board_version(office)
        etag = make_etag("board", version)
        html = shared_template(
            request,
            key=f"fragment:board:{office_id}:{etag}",
            template="lobby/_board.html",
            context=lambda: _board_context(office, opening),
        )
    response = HttpResponse(html)
    response["ETag"] = etag
    response["Cache-Control"] = "no-store"
    response[push.DEVICES_HEADER] = ",".join(map(str, sorted(allowed)))
    return response
