"""The service officer's desk and the office manager's live view. Thin: services do the work.

Actions are plain HTML forms (POST, then 303 back to the desk), so the desk works without
JavaScript; htmx refreshes the parts that change by themselves (the officer's own visit and
status, which another tab may change; the waiting list; today's bookings). Every POST
redirects, a refused one too (post/redirect/get): the reason is shown as a message on the
page redirected to, the refusal's status (409/400/403) is in the `X-Refused` header for
scripts, and nothing changed — so refreshing the page never sends an action again.
"""

import hashlib
import re
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import DEFAULT_DB_ALIAS, DatabaseError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import SimpleLazyObject
from django.utils.html import conditional_escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from servicekontor.accounts.models import User
from servicekontor.accounts.permissions import (
    can_manage,
    can_serve_at,
    may_manage,
    may_sign_in_at_desks,
)
from servicekontor.appointments import queries as appointment_queries
from servicekontor.catalog.models import Service
from servicekontor.core import clock
from servicekontor.core.conditional import conditional, make_etag, shared_html, shared_template
from servicekontor.core.lost_connection import connection_lost
from servicekontor.core.params import parse_id
from servicekontor.core.post_only import post_or_redirect
from servicekontor.desk.templatetags.desk_current import panel_of
from servicekontor.desk.templatetags.desk_rows import csrf_input, hhmm
from servicekontor.handovers import services as handover_services
from servicekontor.handovers.errors import HandoverError
from servicekontor.handovers.forms import HandoverForm
from servicekontor.handovers.models import Handover
from servicekontor.handovers.services import HandoverInput
from servicekontor.network.models import Office, OutreachRule, ServicePoint
from servicekontor.queueing import push, queries, services, sql
from servicekontor.queueing.errands import ErrandPart
from servicekontor.queueing.errors import NotOffered, QueueError
from servicekontor.queueing.models import (
    FINISH_OUTCOMES,
    DeskSession,
    Errand,
    OfficerStatus,
    Outcome,
    Visit,
    VisitSource,
    VisitState,
)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _see_other(url: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(url, status=303)


def _desk_url(office: Office) -> str:
    return reverse("desk:desk", kwargs={"office_code": office.code})


def _refused(request: HttpRequest, message: object, status: int, url: str) -> HttpResponse:
    """A refused POST: 303 to `url` with the reason as an error message (shown there once)
    and the refusal's HTTP status in `X-Refused`."""
    messages.error(request, str(message))
    response = _see_other(url)
    response["X-Refused"] = str(status)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def choose_desk(request: HttpRequest) -> HttpResponse:
    """Sign in at a desk: choose one of the active desks of the offices you work at."""
    user = _user(request)
    if not may_sign_in_at_desks(user):
        raise PermissionDenied(_("Desks are for service officers and office managers."))
    offices = [o for o in Office.objects.filter(assignments__user=user) if can_serve_at(user, o)]
    # The desks, not the video rooms (`ServicePointQuerySet`): no officer serves at a room.
    points = (
        ServicePoint.objects.filter(office__in=offices, is_active=True)
        .desks()
        .select_related("office")
    )
    if request.method == "POST":
        point_pk = parse_id(request.POST.get("service_point"))
        point = points.filter(pk=point_pk).first() if point_pk else None
        if point is None:
            return _refused(request, _("Choose one of your desks."), 400, request.path)
        try:
            services.sign_in_at_desk(officer=user, service_point=point)
        except QueueError as exc:
            return _refused(request, exc.message, exc.http_status, request.path)
        return _see_other(_desk_url(point.office))
    # Who has each taken desk, by name (`User.display_name`), never the user name alone.
    taken = {
        s.service_point_id: s.officer.display_name
        for s in DeskSession.objects.filter(service_point__in=points).select_related("officer")
    }
    session = queries.desk_session(officer=user)
    # Come from a desk page of an office (its session ended): its first free desk chosen.
    office_code = request.GET.get("office", "")
    preselected = session.service_point_id if session is not None else None
    if preselected is None and office_code:
        preselected = next(
            (p.pk for p in points if p.office.code == office_code and p.pk not in taken), None
        )
    # Come from the desk page of an office (or outreach stop) where this officer has no desk:
    # say why and who works it, not a silent list of their own desks (walk F8).
    asked = _asked_office_without_desk(office_code, offices, points)
    return render(
        request,
        "desk/choose.html",
        {
            "points": points,
            "taken": taken,
            "preselected": preselected,
            "session": session,
            "managed": [o for o in offices if can_manage(user, o)],
            "asked": asked,
        },
    )


def _asked_office_without_desk(
    office_code: str, offices: list[Office], points: Any
) -> dict[str, Any] | None:
    """The office asked for by `?office=` when the officer has no desk there: the office,
    whether it is one of theirs (then it has no active desk), and for an outreach stop the
    offices whose officers travel to it (`OutreachRule.staffed_from`)."""
    if not office_code or any(p.office.code == office_code for p in points):
        return None
    office = Office.objects.filter(code=office_code).first()
    if office is None:
        return None
    staffed_from = sorted(
        {
            rule.staffed_from.name
            for rule in OutreachRule.objects.filter(office=office).select_related("staffed_from")
            if rule.staffed_from is not None
        }
    )
    return {"office": office, "assigned": office in offices, "staffed_from": staffed_from}


def _session_at(request: HttpRequest, office_code: str) -> DeskSession | None:
    session = queries.desk_session(officer=_user(request))
    if session is None or session.office.code != office_code:
        return None
    return session


def _session_of(keys: sql.DeskSessionKeys, officer: User) -> DeskSession:
    """The officer's desk session built from its keys (`sql.desk_session_keys`), no query.

    Its office carries only id and code (what the desk's parts show); every other field of
    both is deferred, so reading one loads it rather than showing a default."""
    office = Office.from_db(DEFAULT_DB_ALIAS, ["id", "code"], [keys.office_id, keys.office_code])
    session = DeskSession.from_db(
        DEFAULT_DB_ALIAS,
        ["id", "officer_id", "office_id", "service_point_id", "status"],
        [keys.session_id, officer.pk, keys.office_id, keys.service_point_id, keys.status],
    )
    session.officer = officer
    session.office = office
    return session


def _keys_of(session: DeskSession) -> sql.DeskSessionKeys:
    """`sql.desk_session_keys` of a session already read (with its office), no query."""
    return sql.DeskSessionKeys(
        session.pk, session.service_point_id, session.office_id, session.office.code, session.status
    )


_UNKNOWN: Any = object()  # `_desk_context`'s `current` when the caller has not read it


def _desk_context(
    session: DeskSession, *, bookings: bool = True, current: Visit | None = _UNKNOWN
) -> dict[str, Any]:
    """`current`: the officer's visit (with its service and agency) or None, when the caller
    knows it (a desk action's answer: the visit it acted on); else read here with its errands
    (one statement, `queries.current_visit_with_errands`)."""
    if current is _UNKNOWN:
        current = queries.current_visit_with_errands(officer_id=session.officer_id)

    def walk_ins() -> list[Service]:
        # one written-out statement (the office's operating days checked in it), kept under
        # the registry's version (no statement while the registry is unchanged)
        return queries.desk_walk_in_services(office_id=session.office_id, day=clock.local_today())

    def recorded() -> list[Errand]:
        # The errands recorded so far for the visit being served ("Record errand, turn to
        # the next"), so the officer sees what is already done; the finish records the last.
        # A start's answer has them from the change's round trip (`services.start_service`).
        if current is None or current.state != VisitState.SERVING:
            return []
        return queries.recorded_errands(current)

    # Read only when the template shows them (the add form of the page; the finish,
    # errand and transfer forms and the errands so far of a visit at the desk).
    offered = SimpleLazyObject(walk_ins)
    return {
        "session": session,
        "office": session.office,
        "current": current,
        "errands": SimpleLazyObject(recorded),
        "outcomes": [(o.value, o.label) for o in FINISH_OUTCOMES],
        "statuses": OfficerStatus.choices,
        "offered": offered,
        "transfer_to": SimpleLazyObject(
            lambda: [s for s in offered if current is None or s.pk != current.service_id]
        ),
        "todays_bookings": (
            appointment_queries.desk_rows(office=session.office, now=clock.now())
            if bookings
            else []
        ),
    }


def _waiting_context(
    keys: sql.DeskSessionKeys, *, services: list[int], busy: bool
) -> dict[str, Any]:
    """What the waiting list shows (`desk/_waiting.html`), and nothing else: the desk page's
    other parts (services offered, today's bookings) cost more than the list. Built from what
    the shared fragment's key names (`_waiting_key`): the services this desk serves and
    whether the officer has a visit (then the list offers no "Call")."""
    # The list shows only the office's code (its form's address): no read of the office.
    office = Office.from_db(DEFAULT_DB_ALIAS, ["id", "code"], [keys.office_id, keys.office_code])
    # One statement, only the columns the list shows (`sql.desk_waiting_list`; it was
    # `queries.waiting_visits(…).filter(service_id__in=services)[:50]`, `parked_visits(…)`
    # of the same services and `waiting_visits(…).count()`).
    listed = sql.desk_waiting_list(office_id=keys.office_id, services=services, now=clock.now())
    return {
        "office": office,
        "current": busy,
        "waiting": listed.waiting,
        "parked": listed.parked,
        "waiting_total": listed.waiting_total,
    }


@dataclass(frozen=True)
class _ListVersion:
    """A desk's waiting list's versions, from one statement (`queries.queue_versions`)."""

    etag: str  # what this desk's poll is answered 304 for
    queue: str  # the office's "queue" version: the shared fragment's (decision 0027)
    minute: str  # HHMM: a booked visit moves to the front at its booked time with no event


def _waiting_version(
    keys: sql.DeskSessionKeys, officer_id: int, versions: dict[str, str] | None = None
) -> _ListVersion:
    # The list shows the waiting and parked visits this desk may serve, and whether the
    # officer has a visit of their own (the "desk" part of the version); the session's id
    # and desk are in the tag, so a new sign-in never gets an old list; and the minute.
    # `versions`: `queries.queue_versions` when the caller has them (one statement for both
    # of the desk's tags).
    if versions is None:
        versions = queries.queue_versions(office_id=keys.office_id, officer_id=officer_id)
    minute = f"{clock.now():%H%M}"
    etag = make_etag("desk", keys.session_id, keys.service_point_id, versions["desk"], minute)
    return _ListVersion(etag=etag, queue=versions["queue"], minute=minute)


def _waiting_key(
    keys: sql.DeskSessionKeys, version: _ListVersion, *, services: list[int], busy: bool
) -> str:
    # Everything the list shows (decision 0027): the office's waiting and parked visits (the
    # "queue" version), in call order at this minute, filtered to the desk's services, with
    # or without the "Call" buttons, in the language asked. Desks of an office that serve
    # the same services share one render per change.
    served = hashlib.sha1(",".join(map(str, services)).encode()).hexdigest()[:16]
    return (
        f"fragment:desk:{keys.office_id}:{version.queue}:{version.minute}:{int(busy)}:"
        f"{served}:{get_language()}"
    )


@login_required
@require_GET
def desk(request: HttpRequest, office_code: str) -> HttpResponse:
    session = _session_at(request, office_code)
    if session is None:
        # Not (or no longer) at a desk of this office: signing out, in any tab, leaves the
        # desk (queueing's logout receiver). The chooser says so and offers this office's
        # desks first, so signing in again after a sign-out leads back here in one step.
        if queries.desk_session(officer=_user(request)) is None:
            messages.info(request, _("You are not signed in at a desk now: choose your desk."))
        return _see_other(f"{reverse('desk:choose')}?office={office_code}")
    keys = _keys_of(session)
    # The versions this page shows, so that desk.js's first poll is a 304 (no re-render of
    # a form the officer has started filling in).
    versions = queries.queue_versions(office_id=keys.office_id, officer_id=session.officer_id)
    version = _waiting_version(keys, session.officer_id, versions)
    context = _desk_context(session)
    current = {
        "current_etag": _current_etag(keys, session.officer_id, versions),
        # The desk's stream: this officer's waiting list as HTML (decision 0062); the page
        # only (the parts an action or a poll answers with have no use for it).
        "push_url": push.desk_stream_url(session.office_id, session.officer_id, get_language()),
    }
    waiting = _waiting_html(
        request, keys, session.officer_id, version, busy=context["current"] is not None
    )
    return render(request, "desk/desk.html", context | current | waiting)


def _waiting_html(
    request: HttpRequest,
    keys: sql.DeskSessionKeys,
    officer_id: int,
    version: _ListVersion,
    *,
    busy: bool | None = None,
) -> dict[str, str]:
    """The desk's waiting list (`desk/_waiting.html`) as `{"waiting_html": …}` for a page or
    an action's answer, carrying its ETag; from the shared fragment cache when a
    desk of the office serving the same services rendered it at this version (decision 0027).
    `busy`: whether the officer has a visit, when the caller has read it."""
    # The key's inputs in one written-out statement (`queries.servable_service_ids` and
    # `queries.has_visit` through the ORM cost more than the shared entry's read).
    inputs = sql.desk_list_inputs(officer_id=officer_id, service_point_id=keys.service_point_id)
    services = inputs.services
    if busy is None:
        busy = inputs.busy
    html = shared_html(
        request,
        key=_waiting_key(keys, version, services=services, busy=busy),
        template="desk/_waiting.html",
        context=lambda: _waiting_context(keys, services=services, busy=busy),
        fill={"waiting_etag": version.etag},
    )
    return {"waiting_html": html}


def _current_etag(
    keys: sql.DeskSessionKeys, officer_id: int, versions: dict[str, str] | None = None
) -> str:
    # The officer's own visit changes only by the officer's own events (another officer
    # cannot act on it), the status only by the officer: both are in the tag, with the
    # session and desk. Nothing else moves it, so a half-filled finish form stays.
    if versions is None:
        versions = queries.queue_versions(office_id=keys.office_id, officer_id=officer_id)
    return make_etag(
        "current", keys.session_id, keys.service_point_id, keys.status, versions["officer"]
    )


@login_required
@require_GET
def desk_panel(request: HttpRequest, office_code: str) -> HttpResponse:
    """The waiting list fragment, polled by desk.js; 304 while nothing it shows has changed,
    else taken from the shared fragment cache when another desk of the office serving the
    same services rendered it at this version (decision 0027)."""
    officer_id = _user(request).pk
    found = queries.desk_poll(officer_id=officer_id)  # the session and the versions: one statement
    if found is None or found[0].office_code != office_code:
        return HttpResponse(status=403)
    keys, versions = found
    version = _waiting_version(keys, officer_id, versions)
    return conditional(
        request,
        etag=version.etag,
        render=lambda: HttpResponse(
            _waiting_html(request, keys, officer_id, version)["waiting_html"]
        ),
        private=True,
    )


MAX_PUSHED_OFFICERS = 500  # far more desks than an office has


@require_GET
def pushed_waiting_lists(request: HttpRequest, office_id: int) -> HttpResponse:
    """The waiting lists of the officers named in `?officers=` (ids, comma-separated) who are
    signed in at a desk of `office_id`, for the push server (decision 0062): asked once per
    change of the office's queue and language, each officer's list sent on that officer's
    desk stream only. Each distinct list is rendered once (the shared entry of the desks'
    polls, decision 0027) and sent with its placeholders (the CSRF token, the list's tag),
    which the desk fills in from its page. An officer not signed in here is left out (the
    push server then tells that stream to ask as before, and the ask is refused).

    JSON: {"variants": [html, …], "officers": {"<id>": [variant index, the list's ETag]}}.
    Only the push server's key opens it (403 otherwise)."""
    language = push.fetch_language(request)
    if language is None:
        return HttpResponse(status=403)
    wanted = request.GET.get("officers", "").split(",")[:MAX_PUSHED_OFFICERS]
    # ids in ASCII digits within bigint: "²".isdigit() is True and int() refused it (a 500)
    officers = sorted({v for raw in wanted if (v := parse_id(raw)) is not None})
    variants: list[str] = []
    index: dict[str, int] = {}
    lists: dict[str, list[Any]] = {}
    with translation.override(language):
        # the sessions, versions and list inputs of all the desks: two statements
        for desk, versions in queries.desk_pushes(office_id=office_id, officers=officers):
            officer_id, keys, inputs = desk.officer_id, desk.keys, desk.inputs
            version = _waiting_version(keys, officer_id, versions)
            key = _waiting_key(keys, version, services=inputs.services, busy=inputs.busy)
            if key not in index:
                index[key] = len(variants)
                variants.append(
                    shared_template(
                        request,
                        key=key,
                        template="desk/_waiting.html",
                        context=partial(
                            _waiting_context, keys, services=inputs.services, busy=inputs.busy
                        ),
                        names=("waiting_etag",),
                    )
                )
            lists[str(officer_id)] = [index[key], version.etag]
    response = JsonResponse({"variants": variants, "officers": lists})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def desk_current(request: HttpRequest, office_code: str) -> HttpResponse:
    """The officer's own visit and status, polled by desk.js (a second tab follows the
    first); 304 until the officer's own events or status change.

    A changed panel is rendered once per version of this desk session and kept in the shared
    cache (`shared_html`, decision 0027; the tag names the session, desk, status, the
    officer's own events today and the language): a second tab, a reload or the safety poll
    read it instead of rendering. The render leaves out what the panel does not show (today's
    bookings)."""
    officer_id = _user(request).pk
    found = queries.desk_poll(officer_id=officer_id)  # the session and the versions: one statement
    if found is None or found[0].office_code != office_code:
        return HttpResponse(status=403)
    keys, versions = found
    etag = _current_etag(keys, officer_id, versions)

    def context() -> dict[str, Any]:
        # The session as the poll's statement read it (as a desk action's answer builds it),
        # and the visit with its errands in one statement: the ORM's three reads (session,
        # visit, errands) were two thirds of this render (issue 13). A sign-out after the
        # poll's statement shows the panel as it was at that statement; the next poll is
        # refused.
        return _desk_context(_session_of(keys, _user(request)), bookings=False)

    def render_part() -> HttpResponse:
        html = shared_html(
            request,
            key=f"fragment:current:{officer_id}:{etag}",
            template="desk/_current.html",
            context=context,
        )
        return HttpResponse(html)

    return conditional(request, etag=etag, render=render_part, private=True)


def _visit_id(request: HttpRequest) -> int:
    visit_pk = parse_id(request.POST.get("visit"))
    if visit_pk is None:
        raise NotOffered(_("No visit chosen."))
    return visit_pk


def _service_id(request: HttpRequest) -> int:
    service_pk = parse_id(request.POST.get("service"))
    if service_pk is None:
        raise NotOffered(_("Choose a service."))
    return service_pk


def _service(request: HttpRequest) -> Service:
    service_pk = parse_id(request.POST.get("service"))
    service = Service.objects.filter(pk=service_pk).first() if service_pk else None
    if service is None:
        raise NotOffered(_("Choose a service."))
    return service


def _interpreter(request: HttpRequest) -> dict[str, Any]:
    used = request.POST.get("interpreter_used") == "on"
    return {"interpreter_used": used, "interpreter_language": request.POST.get("language", "")}


def _split(request: HttpRequest, *, outcome: str, interpreter: dict[str, Any]) -> list[ErrandPart]:
    """The last errand(s) from the finish form: another service than the visit's, and
    optionally the time split with a second errand (`split_percent` of it, 1–99)."""
    parts = []
    if request.POST.get("service"):  # the last errand was for another service
        parts = [ErrandPart(service=_service(request), outcome=outcome, **interpreter)]
    if not request.POST.get("split_service"):
        return parts
    try:
        percent = int(request.POST.get("split_percent", ""))
    except ValueError:
        percent = 0
    if not 1 <= percent <= 99:
        raise NotOffered(_("Give the second errand's share of the time as 1–99 %."))
    second_pk = parse_id(request.POST.get("split_service"))
    second = Service.objects.filter(pk=second_pk).first() if second_pk else None
    if second is None:
        raise NotOffered(_("Choose a service."))
    if not parts:
        parts = [ErrandPart(service=_visit_service(request), outcome=outcome, **interpreter)]
    first = parts[0]
    return [
        ErrandPart(
            service=first.service,
            outcome=first.outcome,
            interpreter_used=first.interpreter_used,
            interpreter_language=first.interpreter_language,
            weight=100 - percent,
        ),
        ErrandPart(
            service=second,
            outcome=request.POST.get("split_outcome", "") or outcome,
            weight=percent,
        ),
    ]


def _visit_service(request: HttpRequest) -> Service:
    """The service of the visit being finished (the first errand when the time is split)."""
    found = Visit.objects.filter(pk=_visit_id(request)).select_related("service").first()
    if found is None:
        raise NotOffered(_("No visit chosen."))
    return found.service


def _transferred_message(officer: User, visit: Visit) -> str:
    """What a transfer did (walk F18): the visit waits in the new service's line with its
    place (in line since …), and, when this desk serves that service too, that call-next
    here may call it back (the call order does not look at who handed a visit on, decision
    0093). Whether the desk serves it is read only for this, after the transfer, in one
    statement (`sql.desk_serves`)."""
    words = {
        "ticket": visit.ticket,
        "service": f"{visit.service.agency.name}: {visit.service.name}",
        "since": hhmm(visit.queued_at, timezone.get_current_timezone()),
    }
    said = _("%(ticket)s transferred to %(service)s: in that line since %(since)s.") % words
    if sql.desk_serves(officer_id=officer.pk, service_id=visit.service_id):
        said += " " + (
            _("This desk serves it too: Call next here may call %(ticket)s back to you.") % words
        )
    return said


def _dispatch(
    request: HttpRequest, officer: User, office_code: str, action: str
) -> tuple[str, Any]:
    # The services find the officer's desk session themselves (and refuse without one).
    if action == "call_next":
        visit = services.call_next(officer=officer)
        return _("Called %(ticket)s.") % {"ticket": visit.ticket}, visit
    if action == "call":
        visit = services.call_visit(officer=officer, visit_id=_visit_id(request))
        return _("Called %(ticket)s.") % {"ticket": visit.ticket}, visit
    if action == "recall":
        visit = services.recall_visit(officer=officer, visit_id=_visit_id(request))
        if visit.state == "no_show":
            return _("%(ticket)s did not come: marked as no-show.") % {
                "ticket": visit.ticket
            }, visit
        return _("Called %(ticket)s again.") % {"ticket": visit.ticket}, visit
    if action == "start":
        visit = services.start_service(officer=officer, visit_id=_visit_id(request))
        return _("Serving %(ticket)s.") % {"ticket": visit.ticket}, visit
    if action == "no_show":
        visit = services.mark_no_show(officer=officer, visit_id=_visit_id(request))
        return _("%(ticket)s marked as no-show.") % {"ticket": visit.ticket}, visit
    if action == "hold":
        visit = services.hold_visit(officer=officer, visit_id=_visit_id(request))
        return _("%(ticket)s is on hold.") % {"ticket": visit.ticket}, visit
    if action == "requeue":
        visit = services.requeue_visit(officer=officer, visit_id=_visit_id(request))
        return _("%(ticket)s is back in line.") % {"ticket": visit.ticket}, visit
    if action == "transfer":
        # the service's id only: the transfer finds it among the office's walk-in services
        # (registry cache); an id of no service offered is refused there
        visit = services.transfer_visit(
            officer=officer, visit_id=_visit_id(request), service=_service_id(request)
        )
        return _transferred_message(officer, visit), visit
    if action == "finish":
        outcome = request.POST.get("outcome", "")
        interpreter = _interpreter(request)
        split = _split(request, outcome=outcome, interpreter=interpreter)
        visit = services.finish_visit(
            officer=officer,
            visit_id=_visit_id(request),
            outcome=outcome,
            note=request.POST.get("note", ""),
            split=split,
            **interpreter,
        )
        return _("%(ticket)s finished.") % {"ticket": visit.ticket}, visit
    if action == "errand":
        errand = services.record_errand(
            officer=officer,
            visit_id=_visit_id(request),
            service=_service(request),
            outcome=request.POST.get("outcome", ""),
            **_interpreter(request),
        )
        return _("Errand recorded; the next errand starts now."), errand.visit
    if action == "add":
        visit = services.issue_ticket(
            office=get_object_or_404(Office, code=office_code),
            service=_service(request),
            source=VisitSource.DESK,
            officer=officer,
        )
        return _("Ticket %(ticket)s added to the queue.") % {"ticket": visit.ticket}, visit
    if action == "status":
        services.set_officer_status(officer=officer, status=request.POST.get("status", ""))
        return _("Status changed."), None
    raise NotOffered(_("Unknown action."))


# --- the handover to the agency (issue 19) -----------------------------------------------

HANDOVER_STEP = "handover_step"
_HANDOVER_FIELD = re.compile(r"^h[0-9]+-")


def _parts_of(request: HttpRequest, action: str) -> list[ErrandPart]:
    """The errand(s) the finish or errand action will write, as the queue service will."""
    outcome = request.POST.get("outcome", "")
    interpreter = _interpreter(request)
    if action == "errand":
        return [ErrandPart(service=_service(request), outcome=outcome, **interpreter)]
    parts = _split(request, outcome=outcome, interpreter=interpreter)
    if not parts:
        parts = [ErrandPart(service=_visit_service(request), outcome=outcome, **interpreter)]
    return parts


def _handover_step(
    request: HttpRequest, officer: User, office_code: str, action: str
) -> HttpResponse | None:
    """Finishing an errand the agency must pick up opens the handover form; submitting it
    finishes and hands over in one transaction. None when no errand needs a handover."""
    outcomes = {request.POST.get("outcome", ""), request.POST.get("split_outcome", "")}
    if not any(handover_services.needs_handover(o) for o in outcomes):
        return None  # the usual finish: no extra query
    parts = _parts_of(request, action)
    needing = [(i, p) for i, p in enumerate(parts) if handover_services.needs_handover(p.outcome)]
    if not needing:
        return None
    submitted = request.POST.get(HANDOVER_STEP) == "1"
    # The desk's note is what the officer already wrote about the errand: it starts "what the
    # citizen needs" instead of being typed twice (walk F19).
    note = (request.POST.get("note") or "").strip()
    forms = [
        HandoverForm(
            request.POST if submitted else None,
            prefix=f"h{i}",
            agency=part.service.agency,
            default_service=part.service,
            initial={"needs": note} if note else None,
        )
        for i, part in needing
    ]
    if not submitted and forms:
        # focus on the first field, not on the page (8 Tab stops before it; walk F19)
        first = next(iter(forms[0].fields.values()))
        first.widget.attrs["autofocus"] = True
    error = None
    valid = [f.is_valid() for f in forms]  # every form checked, not only up to the first
    if submitted and all(valid):
        # The service's checks too, every problem beside its field at once (the walk: the
        # identity number's error appeared only after the SMS number's was fixed).
        for (_i, part), form in zip(needing, forms, strict=True):
            for field, message in handover_services.input_problems(
                form.to_input(), agency_id=part.service.agency_id, outcome=part.outcome
            ):
                form.add_error(field, message)
    if submitted and all(valid) and not any(f.errors for f in forms):
        inputs: list[HandoverInput | None] = [None] * len(parts)
        for (i, _part), form in zip(needing, forms, strict=True):
            inputs[i] = form.to_input()
        try:
            visit_id = _hand_over(request, officer, action, parts, inputs)
        except HandoverError as exc:
            error = exc.message
        else:
            # The printed reference in the language chosen for the citizen's message (the
            # walk: an English-speaking citizen got a Swedish slip)
            language = next((i.language for i in inputs if i is not None), "")
            return _see_other(
                reverse("desk:receipt", kwargs={"office_code": office_code, "visit_id": visit_id})
                + (f"?language={language}" if language else "")
            )
    carried = [
        (key, value)
        for key, values in request.POST.lists()
        if key not in ("csrfmiddlewaretoken", HANDOVER_STEP) and not _HANDOVER_FIELD.match(key)
        for value in values
    ]
    office = get_object_or_404(Office, code=office_code)
    context = {
        "office": office,
        "items": [
            {"part": part, "outcome": Outcome(part.outcome).label, "form": form}
            for (_i, part), form in zip(needing, forms, strict=True)
        ],
        "carried": carried,
        "error": error,
        "action": action,
    }
    status = 400 if submitted else 200
    return render(request, "desk/handover.html", context, status=status)


def _hand_over(
    request: HttpRequest,
    officer: User,
    action: str,
    parts: list[ErrandPart],
    inputs: list[HandoverInput | None],
) -> int:
    visit_id = _visit_id(request)
    interpreter = _interpreter(request)
    if action == "errand":
        handover_services.record_errand_with_handover(
            officer=officer,
            visit_id=visit_id,
            service=parts[0].service,
            outcome=parts[0].outcome,
            handover=inputs[0],
            **interpreter,
        )
        return visit_id
    handover_services.finish_with_handovers(
        officer=officer,
        visit_id=visit_id,
        outcome=request.POST.get("outcome", ""),
        note=request.POST.get("note", ""),
        split=_split(request, outcome=request.POST.get("outcome", ""), interpreter=interpreter),
        handovers=inputs,
        **interpreter,
    )
    return visit_id


@login_required
@require_GET
def receipt(request: HttpRequest, office_code: str, visit_id: int) -> HttpResponse:
    """The citizen's printed reference(s) for the handovers of a visit: no identity number,
    nothing of what they need (a slip of paper can be lost)."""
    office = get_object_or_404(Office, code=office_code)
    user = _user(request)
    if not (can_serve_at(user, office) or can_manage(user, office)):
        raise PermissionDenied
    handovers = list(
        Handover.objects.filter(office=office, errand__visit_id=visit_id).select_related(
            "agency", "service"
        )
    )
    if not handovers:
        raise Http404
    # The slip in the citizen's language (`?language=`, from the handover form), the page
    # around it in the officer's
    language = request.GET.get("language", "")
    if language not in dict(settings.LANGUAGES):
        language = get_language()
    return render(
        request,
        "desk/receipt.html",
        {"office": office, "handovers": handovers, "citizen_language": language},
    )


@sensitive_post_parameters()  # the identity number must not reach an error report
@login_required
@post_or_redirect(lambda request, office_code: reverse("desk:desk", args=[office_code]))
def desk_action(request: HttpRequest, office_code: str) -> HttpResponse:
    """One desk action. The happy path does not read the desk session here (the service
    locks it anyway); only an error needs it, to show the desk again with the message.

    Without JavaScript (a plain form): 303 to the desk page (post/redirect/get). From desk.js
    (header `X-Desk-Fragment: 1`): the answer is the desk's changed parts themselves — the
    officer's own visit and the waiting list, with the message — so the action costs one
    request instead of two and no whole page (decision 0026); a refusal answers the same
    parts with its status (409/400/403) and the reason."""
    fragment = request.headers.get("X-Desk-Fragment") == "1"
    action = request.POST.get("action", "")
    poll = None
    try:
        if action in ("finish", "errand"):
            page = _handover_step(request, _user(request), office_code, action)
            if page is not None:
                if fragment:  # a page of its own: desk.js sends the form again as a plain POST
                    page["X-Desk-Form"] = "1"
                return page
        # desk.js's answer needs the session and the versions of its parts after the action:
        # read in the action's COMMIT round trip (decision 0092), else after it
        poll = queries.DeskPollWithAction(officer_id=_user(request).pk) if fragment else None
        try:
            message, visit = _dispatch(request, _user(request), office_code, action)
        finally:
            if poll is not None:
                poll.drop()  # taken by the action's commit, or not at all
    except QueueError as exc:
        session = _session_at(request, office_code)
        if fragment and session is not None:
            return _parts(request, session, str(exc.message), error=True, status=exc.http_status)
        back = reverse("desk:desk", args=[office_code]) if session else reverse("desk:choose")
        return _refused(request, exc.message, exc.http_status, back)
    visit_id = visit.pk if visit is not None else None
    response: HttpResponse | None = None
    try:
        # the session and the versions of its parts: one statement (read with the commit)
        found = poll.result() if poll is not None else None
        if found is not None and found[0].office_code == office_code:
            keys, versions = found
            session = _session_of(keys, _user(request))
            response = _parts(
                request,
                session,
                str(message),
                error=False,
                status=200,
                keys=keys,
                versions=versions,
                current=_current_after(action, visit, officer_id=session.officer_id),
            )
    except DatabaseError:
        # The action is done (its transaction committed: the service returned); only the
        # parts could not be read, the connection lost after the commit (issue 13's kills).
        # The plain form's answer needs no database: the desk page with the message.
        if not connection_lost():
            raise
    if response is None:
        # Cookie-backed message (the default fallback storage): no session write per action.
        messages.success(request, message)
        response = _see_other(reverse("desk:desk", kwargs={"office_code": office_code}))
    if visit_id is not None:
        response["X-Visit-Id"] = str(visit_id)  # for scripts and the benchmark
    return response


def _current_after(action: str, visit: Any, *, officer_id: int) -> Visit | None:
    """The officer's own visit after a desk action that succeeded, without reading it again
    when the action decides it (else `_UNKNOWN`: `_desk_context` reads it). A call, recall or
    start leaves the visit it acted on at the officer's desk (read with its service and agency
    by the one-statement transition); a finish ends the officer's only visit (a visit being
    served is the officer's, and an officer has at most one: `services.call_next`), and so
    do a hold and a no-show (also a recall's last, decision 0092)."""
    if not isinstance(visit, Visit):
        return _UNKNOWN
    if action == "finish":
        return None
    if action in ("hold", "no_show", "recall") and visit.state not in queries.ACTIVE_STATES:
        # Parked or a no-show: these act only on the officer's own called or served visit
        # (`services._own_visit`; the state machine's sources), which has left the desk.
        return None
    if (
        action in ("call_next", "call", "recall", "start")
        and visit.officer_id == officer_id
        and visit.state in queries.ACTIVE_STATES
        and Visit.service.is_cached(visit)
        and Service.agency.is_cached(visit.service)
    ):
        return visit
    return _UNKNOWN


def _parts(
    request: HttpRequest,
    session: DeskSession,
    message: str,
    *,
    error: bool,
    status: int,
    keys: sql.DeskSessionKeys | None = None,
    versions: dict[str, str] | None = None,
    current: Visit | None = _UNKNOWN,
) -> HttpResponse:
    """The answer to a desk action sent by desk.js: the message and the officer's own visit
    and status with its version (so its next poll is a 304); no page around them, no
    bookings, and no waiting list: desk.js asks for the list on the screens' lane right after
    (decision 0035), as the office's other desks do when told by push. `keys`, `versions`:
    the session's keys and `queue_versions` when the caller has read them (`desk_poll`);
    `current`: the officer's visit when the action decided it (`_current_after`)."""
    if keys is None:
        keys = _keys_of(session)
    officer_id = session.officer_id
    if versions is None:
        versions = queries.queue_versions(office_id=keys.office_id, officer_id=officer_id)
    context = _desk_context(session, bookings=False, current=current) | {
        "current_etag": _current_etag(keys, officer_id, versions),
    }
    # `desk/_after_action.html` written out (its `{% include "desk/_current.html" %}` is the
    # panel of `desk_current.panel_of`, decision 0071): no template, no request context. The
    # CSRF input as the template's context processor gave it.
    csrf = csrf_input({"csrf_token": get_token(request)})
    response = HttpResponse(
        f'<div id="desk-message" class="message{" error" if error else ""}"'
        f' role="{"alert" if error else "status"}">{conditional_escape(message)}</div>\n'
        f"\n\n{panel_of(context, csrf=csrf)}\n\n",
        status=status,
    )
    response["Cache-Control"] = "no-store"
    response["X-Desk-Parts"] = "1"
    if error:
        response["X-Refused"] = str(status)
    return response


@login_required
@post_or_redirect(lambda request: reverse("desk:choose"))
def sign_out(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    try:
        services.sign_out_of_desk(officer=user)
    except QueueError as exc:
        session = queries.desk_session(officer=user)
        back = _desk_url(session.office) if session is not None else reverse("desk:choose")
        return _refused(request, exc.message, exc.http_status, back)
    return _see_other(reverse("desk:choose"))


def _managed_office(request: HttpRequest, office_code: str) -> Office:
    office = get_object_or_404(Office, code=office_code)
    if not can_manage(_user(request), office):
        raise PermissionDenied(_("You do not manage this office."))
    return office


@login_required
@require_GET
def live(request: HttpRequest, office_code: str) -> HttpResponse:
    """The office manager's live view of the queue and the staff."""
    office = _managed_office(request, office_code)
    return render(
        request,
        "desk/live.html",
        {
            "office": office,
            "overview": queries.office_overview(office=office),
            "push_url": push.stream_url(office.pk),
        },
    )


@login_required
@require_GET
def live_panel(request: HttpRequest, office_code: str) -> HttpResponse:
    """The live view's figures, polled by htmx; 304 while nothing it shows has changed.

    The tag: the queue version, the desk sessions, and the current minute (waits are shown
    in whole minutes and grow with the clock alone). A 304 costs the user's read and one
    statement (`queries.live_poll`), as a desk's poll does.
    """
    # The office, the asker's assignment and both versions: one statement (as `_managed_office`
    # rules: 404 for an unknown code, then 403 unless the asker manages the office).
    poll = queries.live_poll(office_code=office_code, user_id=_user(request).pk)
    if poll is None:
        raise Http404
    if not may_manage(_user(request), assigned=poll.assigned):
        raise PermissionDenied(_("You do not manage this office."))
    etag = make_etag("live", poll.queue_version, poll.staff_version, f"{clock.now():%H%M}")

    def context() -> dict[str, Any]:
        # The figures read the office's id, the panel shows its code (its own address): both
        # known from the poll's statement, which found the office by this code (an ORM read
        # of the office was a statement per render, and the view is re-rendered on nearly
        # every poll at the peak, issue 13). Its other fields are deferred: reading one loads it.
        office = Office.from_db(DEFAULT_DB_ALIAS, ["id", "code"], [poll.office_id, office_code])
        return {"office": office, "overview": queries.office_overview(office=office)}

    # The figures are the office's, not the manager's: rendered once per version for every
    # manager of the office who watches (decision 0027); the tag names everything shown.
    return conditional(
        request,
        etag=etag,
        render=lambda: HttpResponse(
            shared_html(
                request,
                key=f"fragment:live:{poll.office_id}:{etag}",
                template="desk/_live_panel.html",
                context=context,
            )
        ),
        private=True,
    )
