"""Thin views of the booking flow, the manage link, the kiosk check-in and the desk fragment.

Public pages need no JavaScript: every step is a link or a form post. Errors answer with their
HTTP status (400/404/409/429), never 200.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_ratelimit import ALL

from servicekontor.accounts.permissions import can_serve_at
from servicekontor.appointments import (
    capacity,
    conf,
    desk_words,
    errors,
    mail,
    queries,
    services,
)
from servicekontor.appointments.calendar_file import booking_ics, download_method
from servicekontor.appointments.forms import CheckInForm, ContactForm, DeskContactForm
from servicekontor.appointments.models import Booking, BookingStatus
from servicekontor.appointments.tokens import format_code
from servicekontor.catalog.models import Service
from servicekontor.core import clock
from servicekontor.core.forms import PlaceForm
from servicekontor.core.geography import display_name, find_locality
from servicekontor.core.i18n import current_language
from servicekontor.core.middleware import form_refuses_nul_bytes
from servicekontor.core.params import date_or_400, parse_int, parse_timestamp
from servicekontor.core.post_only import post_or_redirect
from servicekontor.core.rate_limits import rate_limited
from servicekontor.network import queries as network_queries
from servicekontor.network import registry_cache
from servicekontor.network.models import Office

View = Callable[..., HttpResponseBase]
DAYS_PER_PAGE = 7


def _rate_limited(
    rate: Callable[[], str], method: str | tuple[str | None, ...] = ALL
) -> Callable[[View], View]:
    """Checked before the view runs (servicekontor.core.rate_limits): a limited request does
    nothing, and unknown manage tokens count like known ones (guessing is limited)."""
    return rate_limited(rate, method=method)


def _error(request: HttpRequest, message: str, status: int, **context: Any) -> HttpResponse:
    return render(
        request, "appointments/error.html", {"message": message, **context}, status=status
    )


class _Refused(Exception):
    """A part of a booking URL that cannot be used: its own message, status (400 malformed,
    404 unknown) and the step to go back to; answered by `_refusals`."""

    def __init__(self, message: str, status: int, back: str, back_label: str) -> None:
        super().__init__(message)
        self.message, self.status, self.back, self.back_label = message, status, back, back_label


def _refusals(view: View) -> View:
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except _Refused as exc:
            return _error(
                request, exc.message, exc.status, back=exc.back, back_label=exc.back_label
            )

    return wrapped


def _bookable_service(service_id: int | str) -> Service:
    """The service with its agency (shared registry cache). Refused: 400 for a number that
    is not one, 404 for no such service or one that cannot be booked."""
    back, back_label = reverse("appointments:services"), _("Choose a service")
    text = str(service_id)
    if not (text.isascii() and text.isdigit() and len(text) <= 9):
        raise _Refused(
            _("The link is not valid: “%(value)s” is not a service number.") % {"value": text},
            400,
            back,
            back_label,
        )
    service = registry_cache.service_with_agency(int(text))
    if service is None:
        raise _Refused(
            _("No service has the number %(value)s.") % {"value": text}, 404, back, back_label
        )
    if not service.bookable:
        raise _Refused(
            _("%(service)s cannot be booked: come to an office without an appointment.")
            % {"service": service.name},
            404,
            back,
            back_label,
        )
    return service


def _office(code: str, service: Service | None = None) -> Office:
    """The office with this code (shared registry cache); 404 if none (refused with a link
    back to the service's offices when `service` is given)."""
    office = registry_cache.office_by_code(code)
    if office is None:
        if service is None:
            raise Http404
        raise _Refused(
            _("No office has the code “%(value)s”.") % {"value": code},
            404,
            reverse("appointments:offices", args=[service.pk]),
            _("Choose an office"),
        )
    return office


def _instant(raw: object) -> dt.datetime | None:
    """A slot's start as sent back by the page (seconds since 1970, UTC), or None when it is
    not one a page could have listed (`core.params.parse_timestamp`: not digits, before
    1900, after 2999): the caller answers 400 "The time in the link is not valid"."""
    try:
        return parse_timestamp(raw)
    except ValueError:
        return None


def _near(form: PlaceForm) -> tuple[tuple[float, float] | None, str]:
    """(lat, lon) of the place asked for, and its display name; (None, "") if none."""
    if not form.is_valid():
        return None, ""
    lat, lon, q = (
        form.cleaned_data.get("lat"),
        form.cleaned_data.get("lon"),
        form.cleaned_data.get("q") or "",
    )
    if lat is not None and lon is not None:
        return (lat, lon), _("your position")
    if q:
        locality = find_locality(q)
        if locality is None:
            form.add_error(
                "q", _("We do not know that place. Check the spelling or try a nearby town.")
            )
            return None, ""
        return (locality.latitude, locality.longitude), display_name(
            locality, q, current_language()
        )
    return None, ""


@_rate_limited(conf.rate_lookup)
def choose_service(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "appointments/choose_service.html",
        {
            "services": queries.bookable_services(),
            "drop_in_agencies": queries.drop_in_only_agencies(),
        },
    )


@_rate_limited(conf.rate_lookup)
@_refusals
def choose_office(request: HttpRequest, service_id: str) -> HttpResponse:
    service = _bookable_service(service_id)
    form = PlaceForm(request.GET or None)
    near, place = _near(form)
    choices = queries.office_choices(service=service, near=near, limit=10 if near else None)
    earliest = None
    alternatives: list[queries.OfficeChoice] = []
    if near:
        with_time = [c for c in choices if c.earliest and (c.distance_km or 0.0) <= queries.NEAR_KM]
        earliest = min(with_time, key=lambda c: c.earliest.start) if with_time else None  # type: ignore[union-attr]
        if earliest is None:
            # Nothing free near the place: say so, and name the nearest offices that have time.
            alternatives = queries.nearest_with_time(service=service, near=near, limit=3)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "appointments/choose_office.html",
        {
            "service": service,
            "form": form,
            "choices": choices,
            "place": place,
            "earliest": earliest,
            "alternatives": alternatives,
            # Each office's link is this prefix and its code (a slug: nothing to quote).
            "times_prefix": reverse("appointments:times", args=[service.pk, "x"]).removesuffix(
                "x/"
            ),
        },
        status=status,
    )


def _days_page(request: HttpRequest) -> dt.date:
    """The first day of the page: `?from=YYYY-MM-DD` (never before today). Without `from`,
    the page (today + 7k days) that holds `?day=` if given: a link back to a chosen day
    ("Change time") lands on its week, not on this week's first free day. A malformed `from`
    or `day` is a 400 (BadRequest), as every date parameter of the site; a well-formed day
    with no free time selects the page's first free day."""
    today = clock.local_today()
    raw_from = request.GET.get("from", "")
    day = date_or_400(request.GET.get("day", ""), today)
    if not raw_from.strip():
        weeks = max((day - today).days, 0) // DAYS_PER_PAGE
        return today + dt.timedelta(days=weeks * DAYS_PER_PAGE)
    return max(date_or_400(raw_from, today), today)


def _times_status(context: dict[str, Any]) -> int:
    """400 when the page's date parameter was not a date (`_times_context`), else 200."""
    return 400 if context.get("date_error") else 200


def _times_context(
    request: HttpRequest,
    *,
    office: Office,
    service: Service,
    extra_query: dict[str, str] | None = None,
    at_desk: bool = False,
    own_start: dt.datetime | None = None,
) -> dict[str, Any]:
    """The days of the page and the chosen day's free times (templates/_days.html).
    `extra_query`: parameters every day and week link must carry besides the request's own
    (the desk's service when the page came from a POST). `own_start`: the time of the booking
    being moved: not a time to move to, so not listed nor counted (walk F6); its day's
    list shows it as the booked time (`times`)."""
    extra_query = extra_query or {}
    try:
        first = _days_page(request)
        date_error = None
    except BadRequest as exc:
        # A day that is not one (2026-02-30): the times of this service and office from
        # today, the reason above them, status 400 (`_times_status`): not a dead-end page.
        first, date_error = clock.local_today(), str(exc)
    page = queries.free_days_page(
        office=office,
        service=service,
        first_day=first,
        days=DAYS_PER_PAGE,
        now=None,
        at_desk=at_desk,
    )
    days = page.days
    if own_start is not None:
        days = [_without_start(d, own_start) for d in days]
    chosen = request.GET.get("day", "")
    # Only a day with free times is selectable: a chosen day without (a Saturday, a full
    # day) selects the page's first free day, not an empty heading.
    selected = next((d for d in days if d.slots and d.day.isoformat() == chosen), None)
    if selected is None:
        selected = next((d for d in days if d.slots), None)
    # The page's other parameters, kept by the day and week links (templates/_days.html).
    days_query = request.GET.copy()
    if date_error is not None:  # the links must not carry the bad date on
        days_query.pop("day", None)
        days_query.pop("from", None)
    for key in extra_query:
        days_query[key] = extra_query[key]
    context: dict[str, Any] = {
        "date_error": date_error,
        "office": office,
        "service": service,
        "days": days,
        "days_query": days_query,
        "selected": selected,
        "first": first,
        # The page reaches past the booking window: say up to which day times can be booked
        # (and, for a page wholly past it, link to the first week).
        "window_last_day": page.last_day
        if page.last_day < first + dt.timedelta(days=DAYS_PER_PAGE - 1)
        else None,
        "past_window": not days,
        # Free times starting too soon are not listed: the rule in words (walk F6).
        "lead_note": errors.lead_hidden_words(*page.lead_hidden) if page.lead_hidden else "",
        "previous": first - dt.timedelta(days=DAYS_PER_PAGE)
        if first > clock.local_today()
        else None,
        "next": first + dt.timedelta(days=DAYS_PER_PAGE)
        if days and len(days) == DAYS_PER_PAGE
        else None,
    }
    # The chosen day's times, each with whether it is the booking's own (shown, not a link).
    times: list[tuple[Any, bool]] = [(slot, False) for slot in selected.slots] if selected else []
    if selected is not None and own_start is not None:
        own_day = clock.local_date_of(own_start)
        if own_day == selected.day:
            own = capacity.Slot(
                start=own_start,
                end=own_start + dt.timedelta(minutes=service.handling_minutes),
                capacity=0,
                free=0,
            )
            times = sorted([*times, (own, True)], key=lambda pair: pair[0].start)
    context["times"] = times
    if days and not any(d.slots for d in days):
        context["alternatives"] = [
            c
            for c in queries.nearest_with_time(
                service=service, near=(office.latitude, office.longitude), limit=4
            )
            if c.office.pk != office.pk
        ][:3]
    return context


def _without_start(day: queries.DayFree, start: dt.datetime) -> queries.DayFree:
    """The day without the slot starting at `start` (the booking's own time)."""
    slots = [slot for slot in day.slots if slot.start != start]
    if len(slots) == len(day.slots):
        return day
    return queries.DayFree(
        day=day.day, slots=slots, no_time="" if slots else capacity.NoTime.FULLY_BOOKED
    )


@_rate_limited(conf.rate_lookup)
@_refusals
def choose_time(request: HttpRequest, service_id: str, office_code: str) -> HttpResponse:
    service = _bookable_service(service_id)
    office = _office(office_code, service)
    context = _times_context(request, office=office, service=service)
    # Each time's link is this prefix and its epoch: one `reverse` instead of one per time.
    context["contact_prefix"] = reverse(
        "appointments:contact", args=[service.pk, office.code, 0]
    ).removesuffix("0/")
    return render(request, "appointments/choose_time.html", context, status=_times_status(context))


@form_refuses_nul_bytes
@sensitive_post_parameters("personal_identity_number")
@require_http_methods(["GET", "POST"])
@_rate_limited(conf.rate_book, method="POST")
@_refusals
def contact(request: HttpRequest, service_id: str, office_code: str, ts: str) -> HttpResponse:
    service = _bookable_service(service_id)
    office = _office(office_code, service)
    starts_at = _instant(ts)
    if starts_at is None:
        return _error(
            request,
            _("The time in the link is not valid. Choose one of the listed times."),
            400,
            back=reverse(
                "appointments:times", kwargs={"service_id": service.pk, "office_code": office.code}
            ),
            back_label=_("Choose another time"),
        )
    form = ContactForm(request.POST or None, service=service)
    context = {
        "service": service,
        "office": office,
        "starts_at": starts_at,
        "form": form,
        "purge_days": conf.purge_after_days(),
    }
    if request.method != "POST":
        # Refuse up front a time that cannot be booked (past, closed, an eve, full), before
        # the citizen fills in the form; the booking checks again under its lock.
        refused = queries.slot_refusal(office=office, service=service, starts_at=starts_at)
        if isinstance(refused, errors.NotBookable) and not queries.ever_offered(
            office=office, service=service
        ):
            refused = errors.NotOfferedHere(
                _("%(office)s does not offer %(service)s.")
                % {"office": office.name, "service": service.name}
            )
        if refused is not None:
            return _error(
                request,
                str(refused.message),
                refused.http_status,
                back=reverse(
                    "appointments:times",
                    kwargs={"service_id": service.pk, "office_code": office.code},
                )
                + f"?day={clock.local_date_of(starts_at).isoformat()}",
                back_label=_("Choose another time"),
            )
        return render(request, "appointments/contact.html", context)
    if not form.is_valid():
        return render(request, "appointments/contact.html", context, status=400)
    try:
        made = services.book_appointment(
            office=office,
            service=service,
            starts_at=starts_at,
            contact=services.Contact(
                name=form.cleaned_data["name"],
                email=form.cleaned_data.get("email", ""),
                phone=form.cleaned_data.get("phone", ""),
                identity_hash=form.cleaned_data.get("personal_identity_number", ""),
            ),
        )
    except errors.BookingError as exc:
        return render(
            request,
            "appointments/contact.html",
            {**context, "booking_error": exc.message},
            status=exc.http_status,
        )
    return redirect(reverse("appointments:manage", kwargs={"token": made.token}) + "?new=1")


class _UnknownLink(Exception):
    pass


def _by_token(token: str) -> Booking:
    booking = queries.booking_by_token(token)
    if booking is None:
        raise _UnknownLink
    return booking


def _unknown_link_page(view: View) -> View:
    """An unknown or replaced manage link: 404 with what to do, not a bare 'not found'."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except _UnknownLink:
            return _error(
                request,
                _(
                    "This booking link is not valid. If you moved the booking, or the office "
                    "sent you a new link, use the newest link. Otherwise book a new time."
                ),
                404,
            )

    return wrapper


def _booking_context(booking: Booking, token: str) -> dict[str, Any]:
    now = clock.now()
    return {
        "booking": booking,
        "token": token,
        "code": format_code(booking.code),
        "changeable": booking.is_changeable(now=now),
        "cancellable": booking.is_cancellable(now=now),
        "status_label": booking.status_label(now=now, grace=conf.grace()),
        # what the messages about it were sent by (the sending's own rule): the page says so
        "sent_by": mail.contact_channel(booking),
    }


@_rate_limited(conf.rate_lookup)
@_unknown_link_page
def manage(request: HttpRequest, token: str) -> HttpResponse:
    """The booking as it is now (the one link for its whole life)."""
    booking = queries.booking_page_by_token(token)
    if booking is None:
        raise _UnknownLink
    context = _booking_context(booking, token)
    context["new"] = request.GET.get("new") == "1"
    context["done"] = request.GET.get("done", "")
    return render(request, "appointments/manage.html", context)


@_rate_limited(conf.rate_book, method="POST")
@_rate_limited(conf.rate_lookup, method="GET")
@_unknown_link_page
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks "cancel this booking?"; only the POST of that question cancels."""
    booking = _by_token(token)
    context = _booking_context(booking, token)
    if not context["cancellable"]:
        return _error(
            request,
            str(services.why_not_changeable(booking).message),
            409,
            back=reverse("appointments:manage", kwargs={"token": token}),
            back_label=_("Back to your booking"),
        )
    if request.method == "GET":
        return render(request, "appointments/cancel_confirm.html", context)
    try:
        services.cancel_booking(booking=booking)
    except errors.BookingError as exc:
        return _error(request, str(exc.message), exc.http_status)
    return redirect(reverse("appointments:manage", kwargs={"token": token}) + "?done=cancelled")


@_rate_limited(conf.rate_book, method="POST")
@_rate_limited(conf.rate_lookup, method="GET")
@_unknown_link_page
@require_http_methods(["GET", "POST"])
def reschedule(request: HttpRequest, token: str) -> HttpResponse:
    """GET lists free times (or, with `?start=`, asks to confirm that one); only the POST of
    the confirmation moves the booking. A booking that can no longer be moved lists nothing."""
    booking = _by_token(token)
    manage_url = reverse("appointments:manage", kwargs={"token": token})
    if not booking.is_changeable(now=clock.now()):
        return _error(
            request,
            str(services.why_not_changeable(booking).message),
            409,
            back=manage_url,
            back_label=_("Back to your booking"),
        )
    raw_start = request.POST.get("start") if request.method == "POST" else request.GET.get("start")
    if raw_start is not None:
        starts_at = _instant(raw_start)
        if starts_at is None:
            return _error(request, _("Choose one of the listed times."), 400, back=request.path)
        start = int(starts_at.timestamp())
        if request.method == "GET":
            refused = queries.slot_refusal(
                office=booking.office, service=booking.service, starts_at=starts_at
            )
            if refused is None and booking.starts_at == starts_at and booking.holds_capacity():
                refused = errors.SameTime()
            if refused is not None:
                return _error(request, str(refused.message), refused.http_status, back=request.path)
            context = _booking_context(booking, token)
            context["new_start"] = starts_at
            context["new_end"] = starts_at + dt.timedelta(minutes=booking.service.handling_minutes)
            context["start_value"] = start
            return render(request, "appointments/reschedule_confirm.html", context)
        try:
            services.reschedule_booking(booking=booking, starts_at=starts_at)
        except errors.BookingError as exc:
            return _error(request, str(exc.message), exc.http_status, back=request.path)
        return redirect(manage_url + "?done=moved")
    if request.method == "POST":
        return _error(request, _("Choose one of the listed times."), 400, back=request.path)
    own_start = booking.starts_at if booking.holds_capacity() else None
    context = _times_context(
        request, office=booking.office, service=booking.service, own_start=own_start
    )
    context.update({"booking": booking, "token": token})
    return render(request, "appointments/reschedule.html", context, status=_times_status(context))


@_rate_limited(conf.rate_lookup)
@_unknown_link_page
def calendar(request: HttpRequest, token: str) -> HttpResponse:
    """The booking's calendar event as it is now (same UID as the mails): METHOD:PUBLISH
    while it stands, METHOD:CANCEL with the cancel's higher SEQUENCE once cancelled
    (`calendar_file.download_method`; apps ignore STATUS:CANCELLED in a PUBLISH)."""
    booking = _by_token(token)
    method = download_method(booking)
    response = HttpResponse(
        booking_ics(
            booking,
            method=method,
            domain=conf.calendar_domain(),
            organizer_email=conf.organizer_email(),
            stamp=clock.now(),
            attendee_email=booking.email if method == "CANCEL" else "",
            download=True,
        ),
        content_type=f"text/calendar; charset=utf-8; method={method}",
    )
    response["Content-Disposition"] = 'attachment; filename="booking.ics"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
@_rate_limited(conf.rate_lookup, method="POST")
def kiosk_check_in(request: HttpRequest, office_code: str) -> HttpResponse:
    office = get_object_or_404(Office, code=office_code)
    form = CheckInForm(request.POST or None)
    if "easy" in request.GET:  # the kiosk's plain-language switch (queueing.views._easy)
        request.session["kiosk_easy"] = request.GET["easy"] == "1"
    easy = bool(request.session.get("kiosk_easy", False))
    # Closed: the kiosk's words (`registry_cache.open_now`, as the ticket kiosk and the lobby
    # display say it), above the form (a visitor may still check in for a time just before
    # closing: the booking service decides).
    opening = registry_cache.open_now(office=office, at=clock.now())
    context: dict[str, Any] = {"office": office, "form": form, "easy": easy, "opening": opening}
    if request.method != "POST":
        return render(request, "appointments/kiosk_check_in.html", context)
    if not form.is_valid():
        return render(request, "appointments/kiosk_check_in.html", context, status=400)
    try:
        result = services.check_in_booking(office=office, code=form.cleaned_data["code"])
    except errors.BookingError as exc:
        context["check_in_error"] = exc.message
        return render(request, "appointments/kiosk_check_in.html", context, status=exc.http_status)
    return render(
        request,
        "appointments/check_in_done.html",
        {
            "office": office,
            "result": result,
            "easy": easy,
            # Checked in after the booked start (within the grace): the visit is due and goes
            # ahead, so "about 09:15" at 09:26 would name a time already past (the walk)
            "due": result.booking.starts_at <= clock.now(),
        },
    )


def _staff_office(request: HttpRequest, office_code: str) -> Office:
    office = get_object_or_404(Office, code=office_code)
    if not can_serve_at(request.user, office):  # type: ignore[arg-type]
        raise Http404  # no hint which offices exist to someone who does not work there
    return office


def _desk_context(office: Office) -> dict[str, Any]:
    return {"office": office, "bookings": queries.desk_rows(office=office, now=clock.now())}


@login_required
def desk_today(request: HttpRequest, office_code: str) -> HttpResponse:
    """Today's bookings at the office, as an HTML fragment the desk page embeds."""
    office = _staff_office(request, office_code)
    return render(request, "appointments/_desk_today.html", _desk_context(office))


def _desk_page(request: HttpRequest, office_code: str, **_ignored: object) -> str:
    return reverse("desk:desk", kwargs={"office_code": office_code})


def _desk_book_page(request: HttpRequest, office_code: str) -> str:
    return reverse("appointments:desk_book", kwargs={"office_code": office_code})


@login_required
@post_or_redirect(_desk_page)
def desk_check_in(request: HttpRequest, office_code: str, booking_id: int) -> HttpResponse:
    office = _staff_office(request, office_code)
    booking = get_object_or_404(Booking, pk=booking_id, office=office)
    # Said to the officer (`desk_words`), not in the check-in's own words to the citizen.
    fragment = bool(request.headers.get("HX-Request"))
    status = 200
    try:
        result = services.check_in_booking(office=office, code=booking.code)
    except errors.BookingError as exc:
        error, text, status = True, desk_words.refused(exc, booking), exc.http_status
    else:
        error, text = False, desk_words.checked_in(result)
    if fragment:
        context = {**_desk_context(office), "desk_error" if error else "desk_message": text}
        return render(request, "appointments/_desk_today.html", context, status=status)
    # Without JavaScript: back to the page the list is on, the message shown there once.
    (messages.error if error else messages.success)(request, text)
    back = request.POST.get("next", "")
    # A path on this site only, redirected to as given: redirect() would first try any word
    # ("abc", "²") as a URL pattern's name, and a word that names none was a 500.
    if not (
        back.startswith("/")
        and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()})
    ):
        back = reverse("appointments:desk_today", kwargs={"office_code": office.code})
    response = HttpResponseRedirect(back)
    if error:
        response["X-Refused"] = str(status)
    return response


def _desk_book_context(office: Office) -> dict[str, Any]:
    """The desk's booking page as its GET shows it before a service is chosen: the office and
    the services it offers for booking today. Every answer of the page (a refused booking, a
    refused or confirmed cancel) starts from this, so none comes back thinner (the walk: the
    Service select was empty after a refused cancel)."""
    offered = [
        o.service
        for o in network_queries.offerings_on(office=office, day=clock.local_today())
        if o.service.bookable
    ]
    return {"office": office, "services": offered, "service": None}


@login_required
@sensitive_post_parameters("personal_identity_number")
@require_http_methods(["GET", "POST"])
def desk_book(request: HttpRequest, office_code: str) -> HttpResponse:
    """An officer books a time (a video meeting too) at their office on a citizen's behalf:
    choose the service (GET), the day and time and the citizen's contact (POST). The
    confirmation goes to the citizen's contact as for any booking; the page shows the code
    and the citizen's manage link to print or read out."""
    office = _staff_office(request, office_code)
    context = _desk_book_context(office)
    raw = request.POST.get("service") or request.GET.get("service") or ""
    service_id = parse_int(raw, minimum=1, maximum=2**31)
    service = next((s for s in context["services"] if s.pk == service_id), None)
    context["service"] = service
    if service is None:
        if not raw:
            return render(request, "appointments/desk_book.html", context)
        context["desk_error"] = _("Choose one of the services this office offers.")
        return render(request, "appointments/desk_book.html", context, status=400)
    form = DeskContactForm(request.POST or None, service=service)
    context.update(
        _times_context(
            request,
            office=office,
            service=service,
            extra_query={"service": str(service.pk)},
            at_desk=True,
        )
    )
    # The time the officer chose stays chosen when the form comes back with an error (it
    # was the first time of the day again, booked unnoticed once the error was fixed).
    context.update({"form": form, "service": service, "chosen_start": request.POST.get("start")})
    if request.method != "POST":
        return render(
            request, "appointments/desk_book.html", context, status=_times_status(context)
        )
    starts_at = _instant(request.POST.get("start"))
    if starts_at is None:
        context["desk_error"] = _("Choose one of the listed times.")
        return render(request, "appointments/desk_book.html", context, status=400)
    if not form.is_valid():
        return render(request, "appointments/desk_book.html", context, status=400)
    try:
        made = services.book_appointment(
            office=office,
            service=service,
            starts_at=starts_at,
            contact=services.Contact(
                name=form.cleaned_data["name"],
                email=form.cleaned_data.get("email", ""),
                phone=form.cleaned_data.get("phone", ""),
                identity_hash=form.cleaned_data.get("personal_identity_number", ""),
            ),
            # The citizen's language, not the officer's: every message of the booking is in it.
            language=form.cleaned_data["language"],
            at_desk=True,
        )
    except errors.BookingError as exc:
        context["desk_error"] = (
            # Said to the officer, about the citizen (the citizen's own words say "you").
            _(
                "The citizen already has the most bookings allowed for this service on that "
                "day at this office."
            )
            if isinstance(exc, errors.LimitReached)
            else exc.message
        )
        return render(request, "appointments/desk_book.html", context, status=exc.http_status)
    # Post/redirect/get: a reload shows the confirmation again instead of booking twice.
    return redirect(
        reverse(
            "appointments:desk_booked",
            kwargs={"office_code": office.code, "booking_id": made.booking.pk},
        ),
        permanent=False,
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def desk_booked(request: HttpRequest, office_code: str, booking_id: int) -> HttpResponse:
    """The confirmation of a booking at the officer's office, to print or read out: its code
    and the citizen's manage link (in the citizen's language). Found by id within the office
    (404 for another office's booking or an officer not working there); the URL carries no
    secret, so it may appear in logs and the history."""
    office = _staff_office(request, office_code)
    booking = get_object_or_404(
        Booking.objects.select_related("service__agency", "office"), pk=booking_id, office=office
    )
    with translation.override(mail.booking_language(booking)):
        manage_url = mail.booking_manage_url(booking)
    return render(
        request,
        "appointments/desk_booked.html",
        {
            "office": office,
            "booking": booking,
            "code": format_code(booking.code),
            "manage_url": manage_url,
            "language": dict(settings.LANGUAGES).get(mail.booking_language(booking), ""),
            "sent_by": mail.contact_channel(booking),
            # Opened again later (history, a bookmark): say if it is no longer booked.
            "status_label": ""
            if booking.status == BookingStatus.BOOKED
            else booking.status_label(now=clock.now(), grace=conf.grace()),
        },
    )


@login_required
@post_or_redirect(_desk_book_page)
def desk_cancel(request: HttpRequest, office_code: str) -> HttpResponse:
    """An officer cancels a booking at their office on the citizen's behalf (at the desk or by
    phone), by its booking code, in two steps: the code shows the booking (the citizen's
    initials, the service, the day and time), and "Cancel this booking" cancels that booking
    (its id sent with the code): a mistyped code shows someone else's booking, never cancels
    it. For a video meeting the agency's side is told."""
    office = _staff_office(request, office_code)
    form = CheckInForm(request.POST)
    context = _desk_book_context(office) | {"cancel_code": request.POST.get("code", "")[:12]}

    def refused(message: object, status: int) -> HttpResponse:
        context["desk_error"] = message
        return render(request, "appointments/desk_book.html", context, status=status)

    if not form.is_valid():
        return refused(_("A booking code has 8 letters and digits."), 400)
    booking = (
        Booking.objects.filter(office=office, code=form.cleaned_data["code"])
        .select_related("service__agency")
        .first()
    )
    if booking is None:
        return refused(_("No booking at this office has that code."), 404)
    if booking.status != BookingStatus.BOOKED or booking.starts_at <= clock.now():
        refusal = services.why_not_changeable(booking)
        return refused(refusal.message, refusal.http_status)
    if request.POST.get("confirm") != str(booking.pk):
        context["to_cancel"] = {
            "booking": booking,
            "code": format_code(booking.code),
            "initials": desk_words.initials(booking.name),
        }
        return render(request, "appointments/desk_book.html", context)
    try:
        services.cancel_booking_at_desk(booking=booking)
    except errors.BookingError as exc:
        return refused(exc.message, exc.http_status)
    messages.success(
        request,
        _("Booking %(code)s is cancelled; the citizen is told.")
        % {"code": format_code(booking.code)},
    )
    # Post/redirect/get: a reload does not cancel again (a 409 "already cancelled").
    return redirect(_desk_book_page(request, office.code))
