"""The outreach stops' day for staff (walk F8): which stops are visited on a day, when, where,
by which team or vehicle from which office, with how many officers and bookings; the visits
cancelled that day with the reason. Officers, office managers and network administrators;
works without JavaScript (a date field and previous/next links)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from servicekontor.accounts.models import User
from servicekontor.accounts.permissions import is_network_admin, may_sign_in_at_desks
from servicekontor.appointments.models import HOLDS_CAPACITY, Booking
from servicekontor.core import clock
from servicekontor.core.params import date_or_400
from servicekontor.network.queries import outreach_day as stop_visits


def may_see_outreach_day(user: User) -> bool:
    """Who travels to the stops or plans them: officers and managers, network administrators."""
    return may_sign_in_at_desks(user) or is_network_admin(user)


@login_required
@require_GET
def outreach_day(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if not may_see_outreach_day(user):
        raise PermissionDenied(_("The outreach day is for officers, managers and administrators."))
    today = clock.local_today()
    day = date_or_400(request.GET.get("day", ""), today)
    visits = stop_visits(day=day)
    booked = dict(
        Booking.objects.filter(
            office__in=[v.stop.pk for v in visits], day=day, status__in=HOLDS_CAPACITY
        )
        .values_list("office")
        .annotate(n=Count("pk"))
        .values_list("office", "n")
    )
    own = set(user.assignments.values_list("office_id", flat=True))
    return render(
        request,
        "desk/outreach_day.html",
        {
            "day": day,
            "today": today,
            "previous": day - dt.timedelta(days=1),
            "next": day + dt.timedelta(days=1),
            "visits": [
                {
                    "visit": v,
                    "booked": booked.get(v.stop.pk, 0),
                    # a stop staffed from one of the user's own offices
                    "own": any(r.staffed_from_id in own for r in v.rules),
                }
                for v in visits
                if not v.cancelled
            ],
            "cancelled": [v for v in visits if v.cancelled],
        },
    )
