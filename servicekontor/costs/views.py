"""Costs pages: settlements, the agency report (page, CSV, Excel), drivers side by side,
what-if. Thin: forms in, queries/services out; scoping is in `queries.visible_agency_ids`.

Network administrators see and do everything; an agency analyst sees only their agency's
report and comparison; everybody else gets 403.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from servicekontor.accounts.models import User
from servicekontor.accounts.permissions import is_network_admin
from servicekontor.catalog.models import Agency
from servicekontor.core import clock, spreadsheets
from servicekontor.core.errors import DomainError
from servicekontor.core.post_only import post_or_redirect
from servicekontor.core.spreadsheets import download_name
from servicekontor.costs import allocation, exports, queries, services
from servicekontor.costs.errors import BadInput, NotSettled
from servicekontor.costs.forms import (
    CompareForm,
    CorrectForm,
    ReportForm,
    SettleForm,
    StaffCostForm,
    WhatIfForm,
    what_if_change,
)
from servicekontor.costs.periods import has_ended, month_end, next_month
from servicekontor.reports import coverage
from servicekontor.reports.agency_report import month_not_begun, year_not_begun

# The report's lines a page at a time: these page sizes, the second the default.
LINE_PAGE_SIZES = (50, 100, 200, 500)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _require_viewer(request: HttpRequest) -> set[int] | None:
    user = _user(request)
    if not queries.may_see_costs(user):
        raise PermissionDenied(_("Costs are for network administrators and agency analysts."))
    return queries.visible_agency_ids(user)


def _require_admin(request: HttpRequest) -> None:
    if not is_network_admin(_user(request)):
        raise PermissionDenied(_("Only network administrators may do this."))


def _form_error(
    request: HttpRequest, form: forms.Form, url_name: str, submit: str, status: int = 400
) -> HttpResponse:
    """400 (or `status`): the form again, as sent, each error next to its field (named by its
    label)."""
    return render(
        request,
        "costs/error.html",
        {
            "form": form,
            "action": reverse(url_name),
            "post": url_name != "costs:report",
            "submit": submit,
        },
        status=status,
    )


def _error_page(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "costs/error.html", {"message": exc.message}, status=exc.http_status)


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    agency_ids = _require_viewer(request)
    month = queries.default_report_month(clock.local_today())
    return render(
        request,
        "costs/index.html",
        {
            "settlements": queries.settlements(),
            # every viewer sees which months wait and who settles them (walk F14)
            "open_months": queries.months_to_settle(today=clock.local_today()),
            "settlers": queries.settlers(),
            "is_admin": agency_ids is None,
            # One page, several forms with like-named fields: an id prefix each, so that
            # no id is used twice (the labels would point at the first form's field).
            "settle_form": SettleForm(
                auto_id="settle_%s",
                months=queries.months_to_settle(today=clock.local_today())[:1],
            ),
            "correct_form": CorrectForm(auto_id="correct_%s"),
            "staff_form": StaffCostForm(auto_id="staff_%s"),
            "report_form": ReportForm(
                initial={"year": month.year, "month": month.month}, auto_id="report_%s"
            ),
            "compare_form": CompareForm(auto_id="compare_%s"),
            "agencies": queries.visible_agencies(agency_ids),
        },
    )


def _index_url(request: HttpRequest) -> str:
    """Where a GET of a cost form's URL (back/forward) leads: the costs page."""
    return reverse("costs:index")


@login_required
@post_or_redirect(_index_url)
def settle(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    months = queries.months_to_settle(today=clock.local_today())[:1]
    form = SettleForm(request.POST, auto_id="settle_%s", months=months)
    if not form.is_valid():
        return _form_error(request, form, "costs:settle", _("Settle and freeze"))
    month = form.cleaned_data["month"]
    try:
        gaps = services.usage_gaps(month)
        must_accept = bool(gaps) and not form.cleaned_data["accept_partial"]
        if not form.cleaned_data["confirm"] or must_accept:
            # A settlement cannot be undone: first what it would freeze, then a confirmation;
            # with partial usage, one that names the consequence (walk F15).
            preview = services.settlement_preview(month)
            covered, days = coverage.recorded_days(month, month_end(month))
            return render(
                request,
                "costs/settle_confirm.html",
                {
                    "preview": preview,
                    "agencies": [
                        (agency, preview.by_agency.get(agency.pk, 0))
                        for agency in queries.visible_agencies(None)
                    ],
                    "shared_ore": sum(preview.by_agency.values()),
                    "month_text": f"{month:%Y-%m}",
                    # what the month's usage is missing, said before it is frozen (walk F10)
                    "usage_gaps": gaps,
                    "covered_days": covered,
                    "month_days": days,
                    # the pools pro-rated to the days with usage: the admin's other choice
                    "pro_rated_ore": preview.pools_ore * covered // days if days else 0,
                    "accept_missing": form.cleaned_data["confirm"] and must_accept,
                },
                status=400 if form.cleaned_data["confirm"] and must_accept else 200,
            )
        settlement = services.settle_month_accepting(
            month=month, by=_user(request), accept_partial=form.cleaned_data["accept_partial"]
        )
    except DomainError as exc:
        # The rule (services.check_settleable) refused: the form again with why, at its field.
        form.add_error("month", str(exc.message))
        return _form_error(request, form, "costs:settle", _("Settle and freeze"), exc.http_status)
    messages.success(request, _("%(month)s is settled.") % {"month": f"{settlement.month:%Y-%m}"})
    return redirect("costs:index")


@login_required
@post_or_redirect(_index_url)
def correct(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = CorrectForm(request.POST)
    if not form.is_valid():
        return _form_error(request, form, "costs:correct", _("Book the correction"))
    data = form.cleaned_data
    amounts = {}
    if data.get("pool") is not None:
        amounts[data["pool"]] = int(data["amount_sek"] * 100)
    try:
        corr = services.correct_settled_month(
            month=data["month"], by=_user(request), reason=data["reason"], amounts=amounts
        )
    except DomainError as exc:
        # The form again with why, at the field it is about (the page alone lost the form).
        form.add_error(_correction_field(exc, data), str(exc.message))
        return _form_error(
            request, form, "costs:correct", _("Book the correction"), exc.http_status
        )
    messages.success(
        request,
        _("Correction booked into %(month)s.") % {"month": f"{corr.booked_into:%Y-%m}"},
    )
    return redirect("costs:index")


def _correction_field(exc: DomainError, data: dict[str, Any]) -> str | None:
    """The correct form's field a refusal of `services.correct_settled_month` is about."""
    if isinstance(exc, NotSettled):
        return "month"
    if isinstance(exc, BadInput):
        if not str(data.get("reason", "")).strip():
            return "reason"
        if data.get("amount_sek") is not None and data["amount_sek"] < 0:
            return "amount_sek"
        if data.get("pool") is not None:
            return "pool"
    return None


@login_required
@post_or_redirect(_index_url)
def staff_cost(request: HttpRequest) -> HttpResponse:
    """Staff pools of a month = hours × cost per hour per role; the hours entered/imported,
    or first recorded from the desk-status log."""
    _require_admin(request)
    form = StaffCostForm(request.POST)
    if not form.is_valid():
        return _form_error(request, form, "costs:staff_cost", _("Derive staff pools"))
    month = form.cleaned_data["month"]
    try:
        if form.cleaned_data["from_desk_log"]:
            services.record_hours_from_desk_log(
                month=month,
                paid_hours_per_desk_hour=form.cleaned_data["paid_hours_per_desk_hour"]
                or Decimal(1),
            )
        pools = services.derive_staff_pools(month=month)
    except DomainError as exc:
        # The form again with why: at the paid hours when they are the fault, else for the
        # whole form (a missing cost per hour is entered in the admin, not here).
        field = "paid_hours_per_desk_hour" if isinstance(exc, BadInput) else None
        form.add_error(field, str(exc.message))
        return _form_error(
            request, form, "costs:staff_cost", _("Derive staff pools"), exc.http_status
        )
    messages.success(request, _("%(n)s staff pools derived.") % {"n": len(pools)})
    return redirect("costs:index")


def _report_period(form: ReportForm) -> tuple[dt.date, dt.date, str]:
    year: int = form.cleaned_data["year"]
    month: int | None = form.cleaned_data.get("month")
    if month:
        start = dt.date(year, month, 1)
        return start, start, f"{year}-{month:02d}"
    return dt.date(year, 1, 1), dt.date(year, 12, 1), str(year)


def _report_scope(
    request: HttpRequest,
) -> HttpResponse | tuple[ReportForm, set[int] | None, str, dt.date, dt.date, str]:
    """The report's ?year=&month=&agency=: the form, the agencies, the agency's code, the
    period and its label; or the error page to answer."""
    agency_ids = _require_viewer(request)
    data = request.GET.copy()
    if not data.get("year") and not data.get("month"):  # a bare /costs/report/
        month = queries.default_report_month(clock.local_today())
        data["year"], data["month"] = str(month.year), str(month.month)
    form = ReportForm(data)
    if not form.is_valid():
        return _form_error(request, form, "costs:report", _("Show"))
    code = request.GET.get("agency", "").strip()
    if code:
        chosen = {a.pk for a in queries.visible_agencies(agency_ids) if a.code == code}
        if not chosen:
            return render(
                request,
                "costs/error.html",
                {"message": _("No agency “%(code)s” that you may see.") % {"code": code}},
                status=404,
            )
        agency_ids = chosen
    start, end, label = _report_period(form)
    return (form, agency_ids, code, start, end, label)


@login_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    """The settled costs per agency and office for a month or a year (?year=&month=),
    as a page, or ?format=csv (summary; &table=lines for every line) or ?format=xlsx."""
    scope = _report_scope(request)
    if isinstance(scope, HttpResponse):
        return scope
    form, agency_ids, code, start, end, label = scope
    fmt = request.GET.get("format", "")
    if start > clock.local_today():
        # No costs yet, not costs of zero: the page says so (200) without tables; a file
        # cannot carry the note, so it is refused (404) with the same words, as the
        # statistics reports answer a period not begun.
        message = (
            month_not_begun(start) if form.cleaned_data.get("month") else year_not_begun(start.year)
        )
        if fmt:
            return render(request, "costs/error.html", {"message": message}, status=404)
        return render(request, "costs/report.html", {"label": label, "not_begun": message})
    rep = queries.agency_report(start=start, end=end, agency_ids=agency_ids)
    summary = exports.summary_table(rep)
    # The file name says whose costs (one agency, an analyst's agencies, or all) and when.
    scope_label = code or (
        "all-agencies"
        if agency_ids is None
        else "-".join(a.code for a in queries.visible_agencies(agency_ids))
    )
    if fmt == "csv":
        table = {
            "lines": exports.lines_table,
            "services": exports.services_table,
            "months": exports.months_table,
        }.get(request.GET.get("table", ""), exports.summary_table)(rep)
        table_name = request.GET.get("table", "") or "summary"
        return spreadsheets.csv_response(
            *table, filename=download_name("costs", scope_label, label, table_name, ext="csv")
        )
    if fmt == "xlsx":
        lines = exports.lines_table(rep)
        return spreadsheets.xlsx_response(
            [
                (_("Summary"), *summary),
                (_("Months"), *exports.months_table(rep)),
                (_("Services"), *exports.services_table(rep)),
                (_("Lines"), *lines),
            ],
            filename=download_name("costs", scope_label, label, ext="xlsx"),
        )
    if fmt:
        return render(
            request,
            "costs/error.html",
            {"message": _("Unknown format; use csv or xlsx.")},
            status=400,
        )
    header, rows = summary
    unsettled = queries.months_to_settle(today=clock.local_today(), start=start, end=end)
    return render(
        request,
        "costs/report.html",
        {
            "report": rep,
            # Months not settled are not months of zero (walk F14): what settling them now
            # would charge, marked preliminary, and who can settle them.
            "preliminary": _preliminary(unsettled, agency_ids),
            "settlers": queries.settlers(),
            "label": label,
            "header": header,
            "rows": rows,
            "services_table": exports.services_table(rep),
            "months_table": exports.months_table(rep),
            # The lines are not on this page (walk F23: a year's were 3,222 rows, 1.4 MB): their
            # number, and where to get them (the CSV/Excel, or report/lines/ a page at a time).
            "line_count": len(rep.lines),
            "corrections": queries.corrections_for(agency_ids=agency_ids, start=start, end=end),
            # Months start…end whose costs are not in the report yet, which the page must
            # say (all zeros read as no activity): those that could be settled and are not
            # (not the running month, a future one or one without pools).
            "unsettled": unsettled,
            # and those not over yet (the running month, later ones): settled once they end
            "not_over": _months_not_over(start, end),
            "query": request.GET.urlencode(),
        },
    )


@login_required
@require_GET
def report_lines(request: HttpRequest) -> HttpResponse:
    """The report's settled lines a page at a time (?page=, ?per_page=), for the same
    ?year=&month=&agency= and an ?office= (code); every line at once is the CSV/Excel."""
    scope = _report_scope(request)
    if isinstance(scope, HttpResponse):
        return scope
    form, agency_ids, code, start, end, label = scope
    if start > clock.local_today():
        return render(request, "costs/error.html", {"message": _("No lines yet.")}, status=404)
    rep = queries.agency_report(start=start, end=end, agency_ids=agency_ids)
    lines = rep.lines
    office = request.GET.get("office", "").strip()
    if office:
        office_ids = {pk for pk, o in rep.offices.items() if o.code == office}
        lines = [ln for ln in lines if ln.office_id in office_ids]
    per_page = request.GET.get("per_page", "")
    size = int(per_page) if per_page in {str(n) for n in LINE_PAGE_SIZES} else LINE_PAGE_SIZES[1]
    page = Paginator(lines, size).get_page(request.GET.get("page"))
    keep = request.GET.copy()
    keep.pop("page", None)
    return render(
        request,
        "costs/report_lines.html",
        {
            "label": label,
            "page": page,
            "lines_table": exports.lines_table(rep, list(page.object_list)),
            "line_count": len(lines),
            "total_ore": sum(ln.amount_ore for ln in lines),
            "offices": sorted(
                {rep.offices[ln.office_id] for ln in rep.lines}, key=lambda o: o.name
            ),
            "office": office,
            # the filters of the form: the year's months, the agencies the viewer may see
            "year": start.year,
            "months": [(m, f"{start.year}-{m:02d}") for m in range(1, 13)],
            "month": form.cleaned_data.get("month"),
            "agencies": queries.visible_agencies(_require_viewer(request)),
            "agency": code,
            "sizes": LINE_PAGE_SIZES,
            "size": size,
            "query": keep.urlencode(),
            "report_query": urlencode(
                {k: v for k, v in request.GET.items() if k in ("year", "month", "agency")}
            ),
        },
    )


def _preliminary(
    months: list[dt.date], agency_ids: set[int] | None
) -> list[tuple[dt.date, str, list[tuple[Agency, int]]]]:
    """Per open month: why it cannot be shared (or ""), and the visible agencies' preliminary
    shares (öre)."""
    agencies = queries.visible_agencies(agency_ids)
    out = []
    for month in months:
        pre = services.preliminary_shares(month)
        out.append((month, pre.problem, [(a, pre.by_agency.get(a.pk, 0)) for a in agencies]))
    return out


def _months_not_over(start: dt.date, end: dt.date) -> list[dt.date]:
    """The months start…end (first days) not over today: the running month and later ones,
    which cannot be settled yet (the report of 2027-01 read as a month of zeros)."""
    today = clock.local_today()
    months, month = [], start
    while month <= end:
        if not has_ended(month, today=today):
            months.append(month)
        month = next_month(month)
    return months


@login_required
@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    """The same month under two drivers, each visible agency's difference."""
    agency_ids = _require_viewer(request)
    form = CompareForm(request.GET or None)
    # A share of the total would reveal the total, and with it the other agencies' sum.
    context: dict[str, Any] = {"form": form, "show_shares": agency_ids is None}
    status = 200
    if form.is_bound:
        if form.is_valid() and form.cleaned_data["month"] > clock.local_today():
            # no usage yet: the note, not shares of zero (the report's rule for a month after
            # today, decision 0080)
            context["not_begun"] = month_not_begun(form.cleaned_data["month"])
        elif form.is_valid():
            try:
                context["outcomes"] = queries.compare_drivers(
                    month=form.cleaned_data["month"],
                    a=form.cleaned_data["a"],
                    b=form.cleaned_data["b"],
                    agency_ids=agency_ids,
                )
            except allocation.AllocationError as exc:
                form.add_error(None, _("A driver cannot share a pool this month: %s") % exc)
                status = 409
            except DomainError as exc:
                form.add_error(None, str(exc.message))
                status = exc.http_status
        else:
            status = 400
    return render(request, "costs/compare.html", context, status=status)


@login_required
@require_GET
def what_if(request: HttpRequest) -> HttpResponse:
    """An agency joins or leaves offices from a date: everyone's share and cost per visit, and
    the staff needed at those offices with its cost; as a page, ?format=csv or ?format=xlsx."""
    _require_admin(request)
    form = WhatIfForm(request.GET or None)
    context: dict[str, Any] = {"form": form, "show_shares": True}
    fmt = request.GET.get("format", "")
    if fmt not in ("", "csv", "xlsx"):
        return render(
            request,
            "costs/error.html",
            {"message": _("Unknown format; use csv or xlsx.")},
            status=400,
        )
    status = 200
    if form.is_bound:
        change = what_if_change(form) if form.is_valid() else None
        if change is None:
            status = 400
        else:
            month: dt.date = form.cleaned_data["month"]
            try:
                result = queries.what_if(
                    month=month,
                    change=change,
                    staff_in_costs=form.cleaned_data["staff"] == "add",
                )
            except allocation.AllocationError as exc:
                form.add_error(None, _("A pool cannot be shared with this change: %s") % exc)
                status = 409
            except DomainError as exc:
                form.add_error(None, str(exc.message))
                status = exc.http_status
            else:
                context.update(
                    result=result,
                    outcomes=result.outcomes,
                    staff_rows=exports.what_if_staff_table(result),
                )
                if fmt:
                    data = form.cleaned_data
                    label = download_name(
                        data["agency"].code,
                        data["action"],
                        f"{len(data['offices'])}-offices",
                        f"from-{data['start']:%Y-%m-%d}",
                        f"{month:%Y-%m}",
                        ext="x",
                    ).removesuffix(".x")
                    return _what_if_file(result, fmt, label)
            context["fraction"] = change.fraction
    # A file asked for with errors: the page, its form kept with the errors at their fields.
    return render(request, "costs/what_if.html", context, status=status)


def _what_if_file(result: queries.WhatIfResult, fmt: str, label: str) -> HttpResponse:
    agencies = exports.what_if_agencies_table(result)
    staff = exports.what_if_staff_table(result)
    if fmt == "csv":
        return spreadsheets.attachment(
            spreadsheets.csv_sections_bytes(
                [(_("Agencies"), *agencies), (_("Staff needed"), *staff)]
            ),
            filename=download_name("costs-what-if", label, ext="csv"),
            content_type=spreadsheets.CSV_TYPE,
        )
    return spreadsheets.xlsx_response(
        [(_("Agencies"), *agencies), (_("Staff needed"), *staff)],
        filename=download_name("costs-what-if", label, ext="xlsx"),
    )
