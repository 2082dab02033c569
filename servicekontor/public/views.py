"""Public pages: the office finder and the office page. No login, no personal data."""

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from servicekontor.appointments import conf as appointments_conf
from servicekontor.core import clock
from servicekontor.core.geography import local_name, suggest_localities
from servicekontor.core.i18n import current_language
from servicekontor.messaging import addresses
from servicekontor.network import queries as network_queries
from servicekontor.network import registry_cache
from servicekontor.network.models import Office, OfficeKind
from servicekontor.public import queries
from servicekontor.public.forms import FinderForm
from servicekontor.public.stop_calendar import stop_ics

# How far ahead a stop's page and feed list its visits.
STOP_FEED_DAYS = 90


def finder(request: HttpRequest) -> HttpResponse:
    today = clock.local_today()
    agencies = queries.offered_agencies(today)
    form = FinderForm(request.GET or None, agencies=agencies)
    context: dict[str, object] = {"form": form, "today": today}
    if not request.GET:
        return render(request, "public/finder.html", context)
    if not form.is_valid():
        return render(request, "public/finder.html", context, status=400)
    text = form.cleaned_data["q"].strip()
    latitude, longitude = form.cleaned_data["lat"], form.cleaned_data["lon"]
    if latitude is not None and longitude is not None:
        origin = queries.Origin(_("your position"), latitude, longitude)
    elif text:
        found = queries.origin_for_place(text, today)
        if found is None:
            context["unknown_place"] = text
            language = current_language()
            context["suggestions"] = [
                (local_name(place, language), place.county) for place in suggest_localities(text)
            ]
            return render(request, "public/finder.html", context, status=404)
        origin = found
    else:
        form.add_error("q", _("Write a place name, or use your position."))
        return render(request, "public/finder.html", context, status=400)
    agency = next((a for a in agencies if a.code == form.cleaned_data["agency"]), None)
    context["origin"] = origin
    context["agency"] = agency
    context["results"] = queries.nearest_offices(
        latitude=origin.latitude,
        longitude=origin.longitude,
        day=today,
        now=clock.now(),
        agency=agency,
    )
    return render(request, "public/finder.html", context)


def office_detail(request: HttpRequest, code: str) -> HttpResponse:
    office = get_object_or_404(Office, code=code)
    today = clock.local_today()
    monday = today - dt.timedelta(days=today.weekday())
    now = clock.now()
    operating = office.is_operating_on(today)
    week = network_queries.week_hours(office=office, first_day=monday)
    # Open now / closes at / opens next: the one answer the kiosk, the lobby display and the
    # check-in kiosk give too (`registry_cache.open_now`).
    opening = registry_cache.open_now(office=office, at=now)
    open_now = opening.is_open
    closes_at = opening.closes_at
    # While open, the next opening is the one after this interval (after a lunch break).
    next_opening = (
        registry_cache.open_now(office=office, at=closes_at).next_opening
        if open_now and closes_at is not None
        else opening.next_opening
    )
    # Open today: the office is open now or opens again later today. After closing time the
    # day is over for a visitor: the services shown are those of the day it next opens, not
    # "today" (walk finding 2026-12-01: "Help you can get here today" at 21:10).
    had_hours_today = any(day.intervals for day in week if day.day == today)
    open_today = open_now or (
        next_opening is not None and clock.local_date_of(next_opening) == today
    )
    services_day = today
    if not open_today and not office.is_outreach and next_opening is not None:
        services_day = clock.local_date_of(next_opening)
    offerings = list(network_queries.offerings_on(office=office, day=services_day))
    # Closed for good (or not yet open), or no opening within a week (renovation, a long
    # closure): point to the nearest offices that are open instead of a week of "Closed".
    rest_of_week_closed = not open_now and (
        next_opening is None or next_opening > now + dt.timedelta(days=7)
    )
    context = {
        "office": office,
        "today": today,
        "operating": operating,
        "open_today": open_today,
        "closed_for_the_day": had_hours_today and not open_today,
        "services_day": services_day,
        "week": week,
        "upcoming": network_queries.upcoming_closures(office=office, from_day=today),
        "agencies": queries.services_by_agency(offerings),
        "open_now": open_now,
        "closes_at": closes_at,
        # While open: only an opening later today (after a break) is news, not next week's.
        "opens_again": next_opening
        if next_opening and (not open_now or clock.local_date_of(next_opening) == today)
        else None,
        "alternatives": _alternatives(
            office, now, closed_for_long=not operating or rest_of_week_closed, open_now=open_now
        ),
        "closed_for_good": bool(office.closed_on and office.closed_on <= today),
        "point_elsewhere": not operating or rest_of_week_closed,
    }
    if office.is_outreach:
        context["visits"] = network_queries.next_visits(
            office=office, from_day=today, count=8, after=now
        )
        context["cancelled"] = network_queries.cancelled_visits(
            office=office, from_day=today, days=STOP_FEED_DAYS
        )
        context["rules"] = list(office.outreach_rules.select_related("staffed_from"))
    return render(request, "public/office_detail.html", context)


def _alternatives(
    office: Office, now: dt.datetime, *, closed_for_long: bool, open_now: bool
) -> list[queries.Alternative]:
    """Closed for good or for the rest of the week: the nearest offices, open or opening.
    Closed only now (evening, lunch): the nearest that are open now, if any."""
    if closed_for_long:
        return queries.open_alternatives(office=office, at=now)
    if open_now:
        return []
    return [a for a in queries.open_alternatives(office=office, at=now) if a.open_now]


def stop_calendar(request: HttpRequest, code: str) -> HttpResponse:
    """An outreach stop's visits for the next STOP_FEED_DAYS days as a subscribable feed."""
    stop = get_object_or_404(Office, code=code, kind=OfficeKind.OUTREACH)
    today = clock.local_today()
    visits = [
        v
        for v in network_queries.next_visits(office=stop, from_day=today, count=STOP_FEED_DAYS)
        if v.day < today + dt.timedelta(days=STOP_FEED_DAYS)
    ]
    services = [
        f"{o.service.agency.name}: {o.service.name}"
        for o in network_queries.offerings_on(office=stop, day=today)
    ]
    body = stop_ics(
        stop,
        visits=visits,
        cancelled=network_queries.cancelled_visits(
            office=stop, from_day=today, days=STOP_FEED_DAYS
        ),
        services=services,
        # From settings, never the request's Host: a feed fetched under another allowed
        # host (an internal address, a second name) must not change its events' UIDs and
        # links, and a cache in front must not keep a link to a host the citizen never used.
        url=addresses.absolute(reverse("public:office", args=[stop.code])),
        stamp=clock.now(),
        domain=appointments_conf.calendar_domain(),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{stop.code}.ics"'
    return response
