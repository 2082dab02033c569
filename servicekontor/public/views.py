"""Public pages: the office finder and the office page. No login, no personal data."""

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from servicekontor.core import clock
from servicekontor.core.geography import suggest_localities
from servicekontor.network import queries as network_queries
from servicekontor.network.models import Office
from servicekontor.public import queries
from servicekontor.public.forms import FinderForm


def finder(request: HttpRequest) -> HttpResponse:
    today = clock.local_today()
    form = FinderForm(request.GET or None)
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
            context["suggestions"] = suggest_localities(text)
            return render(request, "public/finder.html", context, status=404)
        origin = found
    else:
        form.add_error("q", _("Write a place name, or use your position."))
        return render(request, "public/finder.html", context, status=400)
    context["origin"] = origin
    context["results"] = queries.nearest_offices(
        latitude=origin.latitude, longitude=origin.longitude, day=today
    )
    return render(request, "public/finder.html", context)


def office_detail(request: HttpRequest, code: str) -> HttpResponse:
    office = get_object_or_404(Office, code=code)
    today = clock.local_today()
    monday = today - dt.timedelta(days=today.weekday())
    offerings = list(network_queries.offerings_on(office=office, day=today))
    now = clock.now()
    context = {
        "office": office,
        "today": today,
        "operating": office.is_operating_on(today),
        "week": network_queries.week_hours(office=office, first_day=monday),
        "upcoming": network_queries.upcoming_closures(office=office, from_day=today),
        "agencies": queries.services_by_agency(offerings),
        "open_now": network_queries.is_open(office=office, at=now),
        "next_opening": network_queries.next_opening(office=office, after=now),
    }
    return render(request, "public/office_detail.html", context)
