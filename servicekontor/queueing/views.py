"""The kiosk: choose agency, then service, take a ticket. Public, no login, no personal data.

A form that does not validate is shown again with its errors (400). A refused ticket (the
office closed meanwhile, the service no longer offered) redirects back to the service page
with the reason as a message (post/redirect/get), so a refresh never sends it again.
Outside the office's open intervals the kiosk says when it opens next and offers no ticket.
"""

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from servicekontor.catalog.models import Agency
from servicekontor.core import clock
from servicekontor.core.rate_limits import rate_limited
from servicekontor.network import registry_cache
from servicekontor.network.models import Office
from servicekontor.queueing import devices, queries, services
from servicekontor.queueing.errors import QueueError
from servicekontor.queueing.forms import TicketForm
from servicekontor.queueing.models import DeviceKind, Priority, VisitSource, VisitState

TICKET_SALT = "servicekontor.queueing.ticket"
TICKET_MAX_AGE = 24 * 3600


def _rate_ticket() -> str:
    """QUEUE_RATE_TICKET: tickets per client IP ("30/m"; a kiosk at a busy office issues a few
    a minute). A load test from one address must raise it."""
    return str(getattr(settings, "QUEUE_RATE_TICKET", "30/m"))


def _rate_pair() -> str:
    """QUEUE_RATE_PAIR: pairing attempts (device-token guesses) per client IP ("10/m")."""
    return str(getattr(settings, "QUEUE_RATE_PAIR", "10/m"))


def _easy(request: HttpRequest) -> bool:
    """Plain-language mode, switched with ?easy=1 / ?easy=0 and kept for the session."""
    if "easy" in request.GET:
        request.session["kiosk_easy"] = request.GET["easy"] == "1"
    return bool(request.session.get("kiosk_easy", False))


def _unpaired_device_page(request: HttpRequest, office: Office) -> HttpResponse | None:
    """The 403 page for a browser that is not a paired kiosk, where the office requires one."""
    if devices.device_allowed(request, office=office, kind=DeviceKind.KIOSK):
        return None
    return render(request, "queueing/device_required.html", {"office": office}, status=403)


@require_GET
def kiosk_start(request: HttpRequest, office_code: str) -> HttpResponse:
    office = devices.screen_office(code=office_code)
    if (refused := _unpaired_device_page(request, office)) is not None:
        return refused
    opening = queries.open_now(office=office, at=clock.now())
    agencies = (
        queries.walk_in_agencies(office=office, day=clock.local_today()) if opening.is_open else []
    )
    return render(
        request,
        "queueing/kiosk_start.html",
        {"office": office, "agencies": agencies, "opening": opening, "easy": _easy(request)},
    )


def _agency_page(
    request: HttpRequest, office: Office, agency: Agency, form: TicketForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "queueing/kiosk_services.html",
        {
            "office": office,
            "agency": agency,
            "form": form,
            "opening": queries.open_now(office=office, at=clock.now()),
            "easy": _easy(request),
        },
        status=status,
    )


@rate_limited(_rate_ticket, method="POST")
@require_http_methods(["GET", "POST"])
def kiosk_agency(request: HttpRequest, office_code: str, agency_code: str) -> HttpResponse:
    office = devices.screen_office(code=office_code)
    if (refused := _unpaired_device_page(request, office)) is not None:
        return refused
    agency = registry_cache.agency_by_code(agency_code)
    if agency is None:
        raise Http404
    # The walk-in services at the office today, from the shared registry cache (issue_ticket
    # checks the chosen one against the same list).
    today = clock.local_today()
    walk_in = queries.cached_walk_in_services(office=office, day=today)
    offered = [s for s in walk_in if s.agency_id == agency.pk]
    if request.method == "GET":
        if not offered:
            raise Http404(_("This office offers no walk-in service of that agency today."))
        form = TicketForm(services=offered)
        return _agency_page(request, office, agency, form)
    form = TicketForm(request.POST, services=offered)
    if not form.is_valid():
        return _agency_page(request, office, agency, form, status=400)
    try:
        visit = services.issue_ticket(
            office=office,
            service=form.cleaned_data["service"],
            source=VisitSource.KIOSK,
            priority=Priority.ACCESSIBILITY if form.cleaned_data["priority"] else Priority.NORMAL,
            notify_contact=form.cleaned_data["notify_contact"],
            walk_in_services=(today, walk_in),
        )
    except QueueError as exc:
        messages.error(request, str(exc.message))
        return HttpResponseRedirect(request.path, status=303)
    key = signing.dumps(visit.pk, salt=TICKET_SALT)
    return HttpResponseRedirect(
        reverse("queueing:ticket", kwargs={"office_code": office.code, "key": key}), status=303
    )


@require_GET
def kiosk_ticket(request: HttpRequest, office_code: str, key: str) -> HttpResponse:
    """The ticket, by an unguessable signed key (no enumeration of other people's tickets)."""
    office = devices.screen_office(code=office_code)
    try:
        visit_id = signing.loads(key, salt=TICKET_SALT, max_age=TICKET_MAX_AGE)
    except signing.BadSignature as exc:
        raise Http404(_("No such ticket.")) from exc
    found = queries.kiosk_ticket(office=office, visit_id=int(visit_id))
    if found is None:
        raise Http404(_("No such ticket."))
    visit, wait, desk = found
    response = render(
        request,
        "queueing/kiosk_ticket.html",
        {
            "office": office,
            "visit": visit,
            "wait": wait,
            "desk": desk,
            # Waiting, called (to which desk), or over: the page says the ticket's state now.
            "called": visit.state in (VisitState.CALLED, VisitState.SERVING),
            "over": visit.state in (VisitState.FINISHED, VisitState.NO_SHOW, VisitState.NOT_SERVED),
            "waiting": visit.state == VisitState.WAITING,
            "easy": _easy(request),
        },
    )
    # The state changes from one minute to the next: never from a cache or the history.
    response["Cache-Control"] = "no-store"
    return response


@rate_limited(_rate_pair)
@require_GET
def pair(request: HttpRequest, office_code: str) -> HttpResponse:
    """Pair this browser as the office's kiosk or display (link from create_device_token)."""
    office = devices.screen_office(code=office_code)
    kind = request.GET.get("kind", "")
    token = request.GET.get("token", "")
    if kind not in DeviceKind.values or not devices.token_is_valid(
        office=office, kind=kind, token=token
    ):
        return render(request, "queueing/device_required.html", {"office": office}, status=403)
    target = "lobby:display" if kind == DeviceKind.DISPLAY else "queueing:kiosk"
    response = redirect(reverse(target, kwargs={"office_code": office.code}))
    devices.remember_device(response, kind=kind, token=token)
    return response
