"""The lobby display: who is called to which desk. Public, no login, no personal data.

The page polls a small fragment every second with `If-None-Match`; the ETag is the office's
queue version (`queries.queue_version`), so an unchanged board costs one index scan and a 304. Nothing is held in
the app-server process, so any number of server processes can answer, and after a restart
the display simply gets its next answer (docs/queue.md has the measurement behind polling).
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from servicekontor.core.conditional import conditional, make_etag
from servicekontor.network.models import Office
from servicekontor.queueing import devices, push, queries
from servicekontor.queueing.models import DeviceKind

CALLS_SHOWN = 6


def _board_context(office: Office) -> dict[str, object]:
    calls = queries.recent_calls(office=office, limit=CALLS_SHOWN)
    return {
        "office": office,
        "now_calling": calls[0] if calls else None,
        "earlier": calls[1:],
        "waiting": queries.waiting_visits(office=office).count(),
    }


@require_GET
def display(request: HttpRequest, office_code: str) -> HttpResponse:
    office = devices.screen_office(code=office_code)
    if not devices.device_allowed(request, office=office, kind=DeviceKind.DISPLAY):
        return render(request, "queueing/device_required.html", {"office": office}, status=403)
    context = _board_context(office) | {"push_url": push.stream_url(office.pk)}
    return render(request, "lobby/display.html", context)


@require_GET
def board(request: HttpRequest, office_code: str) -> HttpResponse:
    office = devices.screen_office(code=office_code)
    if not devices.device_allowed(request, office=office, kind=DeviceKind.DISPLAY):
        return HttpResponse(status=403)
    etag = make_etag("board", queries.queue_version(office_id=office.pk, part="board"))
    return conditional(
        request,
        etag=etag,
        render=lambda: render(request, "lobby/_board.html", _board_context(office)),
        private=False,
    )
