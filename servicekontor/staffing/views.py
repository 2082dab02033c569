"""Staffing pages and exports. Thin: the viewer's scope as the statistics pages have it
(`reports.scope`), plans from `staffing.queries`, tables from `staffing.exports`, files and
charts from `core.spreadsheets` / `reports.charts`."""

from __future__ import annotations

import datetime as dt
import math
from fractions import Fraction
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from servicekontor.accounts.models import User
from servicekontor.catalog.models import Agency
from servicekontor.core import clock, spreadsheets
from servicekontor.core.errors import DomainError
from servicekontor.core.post_only import post_or_redirect
from servicekontor.core.rounding import shown
from servicekontor.core.spreadsheets import download_name
from servicekontor.network.models import Office
from servicekontor.reports import charts
from servicekontor.reports.dashboards import WEEKDAYS, Chart
from servicekontor.reports.scope import NoStatistics, Scope, scope_for
from servicekontor.reports.views import error_page, screen_view
from servicekontor.staffing import exports, forms, queries, services

STAFFING = gettext_lazy("Staffing")
#: Replications of the simulation check per day, on the page and in its CSV/Excel (each day
#: seeded by its date: the files carry the page's simulated figures; walk F2, 2 Dec 2026).
REPLICATIONS = 10
staffing_view = screen_view(STAFFING)


def _office(scope: Scope, code: str) -> Office:
    office = get_object_or_404(Office, code=code)
    if scope.agency_ids is not None or not scope.allows_office(office.pk):
        raise NoStatistics(_("You do not manage this office."))
    return office


class InvalidQuery(DomainError):
    """The page's form has errors: the page shows the form with them (400); a file download
    answers with the errors, each with its field's label."""

    def __init__(self, form: forms.WhatIfForm) -> None:
        self.form = form
        super().__init__(form.error_text())


def _office_form(request: HttpRequest) -> forms.OfficeWeekForm:
    form = forms.OfficeWeekForm(request.GET, auto_id="%s")
    if not form.is_valid():
        raise InvalidQuery(form)
    return form


def _network_form(request: HttpRequest) -> forms.NetworkYearForm:
    form = forms.NetworkYearForm(request.GET, auto_id="%s")
    if not form.is_valid():
        raise InvalidQuery(form)
    return form


def _shown(form_class: type[forms.WhatIfForm], request: HttpRequest, **planned: str) -> Any:
    """The page's form as the user sent it, the week or year planned filled in if absent."""
    data = request.GET.copy()
    for name, value in planned.items():
        if not data.get(name):
            data[name] = value
    return form_class(data, auto_id="%s")


def _monday(form: forms.OfficeWeekForm) -> dt.date:
    """The week asked for, or the next week."""
    if form.cleaned_data.get("week") is not None:
        return form.cleaned_data["week"]
    today = clock.local_today()
    return today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=1)


def _invalid_page(request: HttpRequest, exc: InvalidQuery, title: str) -> HttpResponse:
    return render(request, "staffing/invalid.html", {"form": exc.form, "title": title}, status=400)


def _heatmaps(plan: queries.WeekPlan) -> list[Chart]:
    need = {(r.day.isoweekday(), r.hour): r.need.scheduled for r in plan.rows}
    # whole officers short (half an hour short of one officer is one officer short)
    short = {
        (r.day.isoweekday(), r.hour): max(0, math.ceil(-r.difference - 1e-9)) for r in plan.rows
    }
    labels = [str(label) for _n, label in WEEKDAYS]
    out = []
    for title, values in (
        (_("Officers needed, with breaks"), need),
        (_("Short of the roster"), short),
    ):
        svg = charts.heatmap(
            title=title,
            desc=_("Weekday by hour of the week planned."),
            values=values,
            day_labels=labels,
            hours=plan.hours,
        )
        rows: list[list[Any]] = [
            [labels[wd - 1], *[values.get((wd, h), 0) for h in plan.hours]] for wd in range(1, 8)
        ]
        out.append(
            Chart(
                svg=svg,
                header=[_("Day"), *[f"{h:02d}" for h in plan.hours]],
                rows=rows,
                title=title,
            )
        )
    return out


def _plan(
    request: HttpRequest, scope: Scope, office_code: str, replications: int
) -> queries.WeekPlan:
    office = _office(scope, office_code)
    form = _office_form(request)
    return queries.week_plan(
        office=office,
        monday=_monday(form),
        what_if=form.what_if(),
        replications=replications,
        simulate=replications > 0,
    )


def _what_if_label(what_if: queries.WhatIf) -> str:
    """The what-if's changes in a file name ("volume-plus-10pct-sl-80pct-15min-add-csn")."""
    parts = []
    if what_if.volume_factor != 1.0:
        change = round((what_if.volume_factor - 1) * 100)
        parts.append(f"volume-{'plus' if change >= 0 else 'minus'}-{abs(change)}pct")
    if what_if.service_level is not None:
        share, minutes = what_if.service_level
        parts.append(f"sl-{round(share * 100)}pct-{minutes}min")
    if what_if.add_agency_ids:
        codes = Agency.objects.filter(pk__in=what_if.add_agency_ids).values_list("code", flat=True)
        parts.append("add-" + "-".join(sorted(codes)))
    return "-".join(parts)


def _week_filename(plan: queries.WeekPlan, what_if: queries.WhatIf, ext: str) -> str:
    """ "staffing-kista-2026-w10[-what-if].csv": office, ISO week and what was changed."""
    year, week, _day = plan.monday.isocalendar()
    return download_name(
        "staffing", plan.office.code, f"{year}-w{week:02d}", _what_if_label(what_if), ext=ext
    )


@staffing_view
def office(request: HttpRequest, scope: Scope, office_code: str) -> HttpResponse:
    try:
        return _office_page(request, scope, office_code)
    except InvalidQuery as exc:
        found = _office(scope, office_code)
        return _invalid_page(request, exc, _("Staffing: %(office)s") % {"office": found.name})
    except queries.NoPlan:
        # A new office (or one not yet open) has no visits to forecast from: that is not
        # an error in the request, so the manager gets a page that says so, not a 400. A
        # past week is planned from the visits before it: the page names that week.
        monday = _monday(_office_form(request))
        iso = monday.isocalendar()
        return render(
            request,
            "staffing/no_history.html",
            {
                "office": _office(scope, office_code),
                "weeks": queries.HISTORY_WEEKS,
                "past": monday < _this_monday(),
                "week": f"{iso.year}-W{iso.week:02d}",
            },
        )


def _this_monday() -> dt.date:
    today = clock.local_today()
    return today - dt.timedelta(days=today.weekday())


def _percent(share: float | None) -> str | None:
    """A share (0.987) as the hourly table's percentages show it: "98,7 %" (sv), one
    decimal rounded half up (`core.rounding`), localized; None stays None."""
    return None if share is None else shown(share, 1, scale=100) + "\u00a0%"


def _weeks_around(request: HttpRequest, monday: dt.date) -> list[tuple[str, str]]:
    """(label, URL) of the week before and the week after, the what-if kept (walk F25)."""
    out = []
    for step in (-1, 1):
        iso = (monday + dt.timedelta(weeks=step)).isocalendar()
        week = f"{iso.year}-W{iso.week:02d}"
        query = request.GET.copy()
        query["week"] = week
        out.append((week, f"?{query.urlencode()}"))
    return out


def _targets_text(plan: queries.WeekPlan) -> list[str]:
    """The service-level target each agency is planned for ("Skatteverket: 80 % within
    15 min"), the what-if's where given: the empty field's default named (walk F25)."""
    return [
        _("%(agency)s: %(share)s within %(minutes)s min")
        % {
            "agency": plan.agencies[a].name,
            "share": shown(share, 0, scale=100) + "\u00a0%",
            "minutes": minutes,
        }
        for a, (share, minutes) in sorted(
            plan.targets.items(), key=lambda kv: plan.agencies[kv[0]].name
        )
        if a in plan.agencies
    ]


def _behind_promise(plan: queries.WeekPlan) -> list[dict[str, Any]]:
    """The hours simulated well below the promise, for the note at the top of the page."""
    return [
        {
            "day": r.day.isoformat(),
            "hour": f"{r.hour:02d}:00",
            "promised": _percent(r.need.promised_service_level),
            "simulated": _percent(r.simulated_service_level),
        }
        for r in plan.behind_promise
    ]


def _below_target(plan: queries.WeekPlan) -> list[dict[str, Any]]:
    """The hours below the service-level target, each with its date (walk F23)."""
    return [
        {
            "day": date_format(r.day, "l j F"),
            "hour": f"{r.hour:02d}:00",
            "target": _percent(plan.target_level(r)),
            "promised": _percent(r.need.promised_service_level),
            "simulated": _percent(r.simulated_service_level) or "–",
        }
        for r in plan.below_target
    ]


def _week_relation(monday: dt.date) -> str:
    """Which week the planned one is from today's: this week, next week, in n weeks, over."""
    weeks = (monday - _this_monday()).days // 7
    if weeks < 0:
        return _("over")
    if weeks == 0:
        return _("this week")
    if weeks == 1:
        return _("next week")
    return ngettext("in %(n)s week", "in %(n)s weeks", weeks) % {"n": weeks}


def _office_page(
    request: HttpRequest,
    scope: Scope,
    office_code: str,
    *,
    errors: list[services.RowError] | None = None,
    status: int = 200,
) -> HttpResponse:
    plan = _plan(request, scope, office_code, replications=REPLICATIONS)
    iso = plan.monday.isocalendar()
    return render(
        request,
        "staffing/office.html",
        {
            "form": _shown(forms.OfficeWeekForm, request, week=f"{iso.year}-W{iso.week:02d}"),
            "week_levels": [_percent(v) for v in plan.week_service_levels()],
            "errors": errors or [],
            "plan": plan,
            "week": f"{iso.year}-W{iso.week:02d}",
            # the week's dates and which week it is from today (walk F23: "this week" for
            # next week, the dates only in the tables)
            "week_first": date_format(plan.monday, "l j F Y"),
            "week_last": date_format(plan.monday + dt.timedelta(days=6), "l j F Y"),
            "week_relation": _week_relation(plan.monday),
            "below": _below_target(plan),
            "hours_open": sum(1 for r in plan.rows if sum(r.arrivals.values()) > 0),
            "past": plan.monday < _this_monday(),
            "heatmaps": _heatmaps(plan),
            "behind": _behind_promise(plan),
            "weeks_around": _weeks_around(request, plan.monday),
            "targets": _targets_text(plan),
            "behind_after_overload": any(plan.after_overload(r) for r in plan.behind_promise),
            "peak_need": plan.peak_without_desk_limit,
            "recent_level": _percent(plan.recent.service_level if plan.recent else None),
            "recent_wait": (
                None
                if plan.recent is None or plan.recent.mean_wait_seconds is None
                else shown(plan.recent.mean_wait_seconds, 1, scale=Fraction(1, 60))
            ),
            "header": exports.week_header(),
            "rows": list(exports.week_rows(plan)),
            "places": exports.WEEK_PLACES,
            "shift_header": exports.shift_header(),
            "shift_rows": list(exports.shift_rows(plan)),
            "shift_places": exports.SHIFT_PLACES,
            "roster_header": exports.roster_header(),
            "roster_rows": list(exports.roster_rows(plan)),
            "roster_places": exports.ROSTER_PLACES,
        },
        status=status,
    )


MAX_ROSTER_BYTES = 1_000_000


def _office_url(request: HttpRequest, office_code: str) -> str:
    """The office's staffing page, with the week and what-if parameters it was shown with
    (the roster form posts to a URL carrying them)."""
    url = reverse("staffing:office", kwargs={"office_code": office_code})
    return f"{url}?{request.GET.urlencode()}" if request.GET else url


@login_required
@post_or_redirect(_office_url)
def office_roster(request: HttpRequest, office_code: str) -> HttpResponse:
    """Import the office's roster from an uploaded CSV (all rows or none); 303 to the
    office's page with the number imported as a message (post/redirect/get: a reload does
    not upload again), or 400 with the errors per line. A GET leads to the office's page."""
    try:
        assert isinstance(request.user, User)
        scope = scope_for(request.user)
        office = _office(scope, office_code)
        upload = request.FILES.get("roster")
        if upload is None or upload.size is None or upload.size > MAX_ROSTER_BYTES:
            raise DomainError(_("Choose a CSV file of at most 1 MB."))
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise DomainError(_("The file must be UTF-8 text (CSV).")) from None
        try:
            n = services.import_roster(
                text=text, replace=bool(request.POST.get("replace")), office_ids={office.pk}
            )
        except services.RosterRejected as exc:
            return _office_page(request, scope, office_code, errors=exc.errors, status=400)
        messages.success(
            request,
            ngettext("%(n)s shift imported.", "%(n)s shifts imported.", n) % {"n": shown(n)},
        )
        return HttpResponseRedirect(_office_url(request, office_code), status=303)
    except DomainError as exc:
        return error_page(request, exc, STAFFING)


@staffing_view
def office_csv(request: HttpRequest, scope: Scope, office_code: str) -> HttpResponse:
    plan = _plan(request, scope, office_code, replications=REPLICATIONS)
    return spreadsheets.csv_response(
        exports.week_header(),
        exports.week_rows(plan),
        filename=_week_filename(plan, _office_form(request).what_if(), "csv"),
    )


@staffing_view
def office_xlsx(request: HttpRequest, scope: Scope, office_code: str) -> HttpResponse:
    plan = _plan(request, scope, office_code, replications=REPLICATIONS)
    return spreadsheets.xlsx_response(
        [
            (_("Need"), exports.week_header(), exports.week_rows(plan)),
            (_("Shifts"), exports.shift_header(), exports.shift_rows(plan)),
            (_("Roster"), exports.roster_header(), exports.roster_rows(plan)),
        ],
        filename=_week_filename(plan, _office_form(request).what_if(), "xlsx"),
    )


def _network(request: HttpRequest, scope: Scope) -> queries.NetworkPlan:
    if not scope.is_network:
        raise NoStatistics(_("Only network administrators see the network's staffing."))
    form = _network_form(request)
    year = form.cleaned_data.get("year") or clock.local_today().year + 1
    return queries.network_plan(year=year, what_if=form.what_if())


@staffing_view
def network(request: HttpRequest, scope: Scope) -> HttpResponse:
    try:
        plan = _network(request, scope)
    except InvalidQuery as exc:
        return _invalid_page(request, exc, _("Staffing of the network"))
    return render(
        request,
        "staffing/network.html",
        {
            "form": _shown(forms.NetworkYearForm, request, year=str(plan.year)),
            "plan": plan,
            "header": exports.network_header(),
            "rows": list(exports.network_rows(plan, not_recorded=_("not recorded"))),
            "places": exports.NETWORK_PLACES,
            "competence_header": exports.competence_header(),
            "competence_rows": list(exports.competence_rows(plan, not_recorded=_("not recorded"))),
            "competence_places": exports.COMPETENCE_PLACES,
            "wape_header": exports.wape_header(),
            "wape_rows": list(exports.wape_rows(plan)),
            "wape_places": exports.WAPE_PLACES,
            "overall_wape": plan.overall_wape(),
        },
    )


@staffing_view
def network_csv(request: HttpRequest, scope: Scope) -> HttpResponse:
    plan = _network(request, scope)
    return spreadsheets.csv_response(
        exports.network_header(),
        exports.network_rows(plan),
        filename=download_name(
            "staffing-network",
            plan.year,
            _what_if_label(_network_form(request).what_if()),
            ext="csv",
        ),
    )
