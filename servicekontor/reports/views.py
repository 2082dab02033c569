"""Statistics pages and file exports. Thin: scope from `scope.scope_for`, figures from the
query functions; a bad period or a forbidden agency/office answers 400/403 with the reason."""

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET

from servicekontor.accounts.models import User
from servicekontor.accounts.refusal import refused
from servicekontor.catalog.models import Agency
from servicekontor.core import clock, spreadsheets
from servicekontor.core.collation import swedish_key
from servicekontor.core.errors import DomainError
from servicekontor.core.geography import county_name
from servicekontor.core.params import parse_date
from servicekontor.core.spreadsheets import download_name
from servicekontor.network.models import Office
from servicekontor.reports import coverage, dashboard_export, dashboards
from servicekontor.reports.agency_report import (
    COLUMNS,
    AgencyReport,
    NotBegun,
    agency_month_report,
    agency_year_report,
    column_places,
    parse_month,
    total_label,
    unknown_notes,
)
from servicekontor.reports.queries import BadPeriod, check_period
from servicekontor.reports.scope import NoStatistics, Scope, scope_for

View = Callable[..., HttpResponse]


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def screen_view(screen: Any) -> Callable[[View], View]:
    """Login required, GET only, the viewer's scope passed in, domain errors as pages headed
    with the screen's name (`screen`, lazy): a staffing page's refusal is not "Statistics"."""

    def decorate(view: View) -> View:
        @login_required
        @require_GET
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                return view(request, scope_for(_user(request)), *args, **kwargs)
            except DomainError as exc:
                return error_page(request, exc, screen)

        return wrapper

    return decorate


def error_page(request: HttpRequest, exc: DomainError, screen: Any) -> HttpResponse:
    """A refusal (403) is the staff's one refusal page; anything else this app's error page,
    headed with the screen's name (`screen`, lazy)."""
    if exc.http_status == 403:
        return refused(request, exc.message)
    return render(
        request,
        "reports/error.html",
        {"message": exc.message, "status": exc.http_status, "screen": screen},
        status=exc.http_status,
    )


statistics_view = screen_view(gettext_lazy("Statistics"))


def _date_param(request: HttpRequest, name: str, default: dt.date) -> dt.date:
    raw = request.GET.get(name, "")
    return parse_date(raw) if raw.strip() else default


def _period(request: HttpRequest, days: int = 30) -> tuple[dt.date, dt.date]:
    """`?from=&to=` (YYYY-MM-DD within core.params' range; default: the `days` days to
    today); BadPeriod (400) with the reason otherwise."""
    try:
        end = _date_param(request, "to", clock.local_today())
        start = _date_param(request, "from", end - dt.timedelta(days=days - 1))
    except ValueError as exc:
        raise BadPeriod(str(exc)) from None
    check_period(start, end)
    return start, end


def _period_page(
    request: HttpRequest, template: str, exc: BadPeriod, context: dict[str, Any]
) -> HttpResponse:
    """The page again, without figures, its period form showing why and the dates as typed
    (400): not a separate error page that leads away from the form."""
    return render(
        request,
        template,
        {
            **context,
            "board": None,
            "period_error": exc.message,
            "period_from": request.GET.get("from", ""),
            "period_to": request.GET.get("to", ""),
        },
        status=exc.http_status,
    )


def _not_begun_page(
    request: HttpRequest, template: str, start: dt.date, end: dt.date, context: dict[str, Any]
) -> HttpResponse | None:
    """A dashboard of a period after today: its form with the dates asked for and the note
    that it has not begun, and no figures (200), as the monthly and yearly reports answer
    (`agency_report.figures_up_to`): its zeros would be no figures yet, not a period without
    visits. None for a period that has begun."""
    if start <= clock.local_today():
        return None
    return render(
        request,
        template,
        {
            **context,
            "board": None,
            "period_note": NotBegun.default_message,
            "period_from": start.isoformat(),
            "period_to": end.isoformat(),
        },
    )


def _so_far(end: dt.date) -> dt.date:
    """The last day a dashboard's figures cover: `end`, or today for a period ending after
    today, so that its days to come are not drawn as zeros and the year-earlier figures
    compare the same days (the form keeps the end asked for; the note says "up to today")."""
    return min(end, clock.local_today())


def _period_note(start: dt.date, end: dt.date) -> str | None:
    """What a dashboard says above its figures of a period that has begun and is not over:
    its figures go up to and including today, as the monthly and yearly reports say
    (`agency_report.figures_up_to`), also one that ends today (walk F12: a default period
    ending today held today's figures so far without saying so). None for a period that is
    over (a period after today has no figures: `_not_begun_page`)."""
    today = clock.local_today()
    if end >= today:  # today is not over either (walk F12: the default period ends today)
        return _("The period is not over: the figures are up to and including today, %(day)s.") % {
            "day": date_format(today, "j F Y")
        }
    return None


@statistics_view
def home(request: HttpRequest, scope: Scope) -> HttpResponse:
    """Send each viewer to the dashboard of their role."""
    user = _user(request)
    if scope.is_network:
        return HttpResponseRedirect(reverse("reports:network"))
    if scope.agency_ids is not None and user.analyst_agency is not None:
        return HttpResponseRedirect(reverse("reports:agency", args=[user.analyst_agency.code]))
    offices = sorted(
        Office.objects.filter(pk__in=sorted(scope.office_ids or ())),
        key=lambda o: swedish_key(o.name),
    )
    return render(request, "reports/choose_office.html", {"offices": offices})


@statistics_view
def network(request: HttpRequest, scope: Scope) -> HttpResponse:
    if not scope.is_network:
        raise NoStatistics(_("The network dashboard is for network administrators."))
    try:
        start, end = _period(request)
    except BadPeriod as exc:
        return _period_page(request, "reports/network.html", exc, {})
    not_begun = _not_begun_page(request, "reports/network.html", start, end, {})
    if not_begun is not None:
        return not_begun
    board = dashboards.network_dashboard(scope=scope, start=start, end=_so_far(end))
    agencies = Agency.objects.all()
    return render(
        request,
        "reports/network.html",
        {
            "board": board,
            "agencies": agencies,
            "breakdown": dashboards.labelled(board.breakdown),
            "period_note": _period_note(start, end),
            "period_to": end.isoformat(),
            **coverage.page_context(
                start=start,
                end=_so_far(end),
                office_ids=scope.office_ids,
                trend=board.trend,
                ranked=board.ranked,
            ),
        },
    )


def _managed_office(scope: Scope, office_code: str) -> Office:
    office = get_object_or_404(Office, code=office_code)
    if scope.agency_ids is not None or not scope.allows_office(office.pk):
        raise NoStatistics(_("You do not manage this office."))
    return office


def _agencies_named(names: list[str]) -> list[Agency]:
    """The agencies of a table's rows (named in the page's language), by name."""
    return sorted((a for a in Agency.objects.all() if a.name in names), key=lambda a: a.name)


def _office_period(request: HttpRequest, office: Office) -> tuple[dt.date, dt.date]:
    """`?from=&to=` as the agency pages take them; without either, the last 12 weeks, from
    the office's first recorded day if they begin before it (walk F12: a default period
    that starts weeks before any figure reads as weeks without visits)."""
    if not request.GET.get("from", "").strip() and not request.GET.get("to", "").strip():
        start = dashboards.last_weeks_start()
        first = dashboards.first_recorded_day(office)
        return max(start, first) if first is not None else start, clock.local_today()
    return _period(request)


@statistics_view
def office(request: HttpRequest, scope: Scope, office_code: str) -> HttpResponse:
    found = _managed_office(scope, office_code)
    context: dict[str, Any] = {"office": found}
    try:
        start, end = _office_period(request, found)
    except BadPeriod as exc:
        return _period_page(request, "reports/office.html", exc, context)
    not_begun = _not_begun_page(request, "reports/office.html", start, end, context)
    if not_begun is not None:
        return not_begun
    board = dashboards.office_dashboard(scope=scope, office=found, start=start, end=_so_far(end))
    return render(
        request,
        "reports/office.html",
        {
            **context,
            "board": board,
            "breakdown": dashboards.labelled(board.weeks.breakdown),
            **coverage.page_context(
                start=board.weeks.start,
                end=board.weeks.end,
                office_ids=[found.pk],
                trend=board.weeks.trend,
            ),
            # the targets of the agencies in the figures (walk F4)
            "agencies": _agencies_named([name for name, _now, _b in board.weeks.groups]),
            "default_period": not request.GET.get("from") and not request.GET.get("to"),
            # the default period begins with the office's first recorded day (walk F12)
            "since_records": start > dashboards.last_weeks_start(),
            "period_note": _period_note(start, end),
            "period_to": end.isoformat(),
            "period_from": start.isoformat(),
        },
    )


def _office_board(
    request: HttpRequest, scope: Scope, office_code: str
) -> tuple[dashboards.OfficeDashboard, dt.date, tuple[str, ...]]:
    """The office page's figures for a file, and the words of the file's name: a period not
    begun has no figures (404 with the page's words), as the reports' files."""
    found = _managed_office(scope, office_code)
    start, end = _office_period(request, found)
    if start > clock.local_today():
        raise NotBegun()
    board = dashboards.office_dashboard(scope=scope, office=found, start=start, end=_so_far(end))
    words = (_file_word("statistics"), found.code, start.isoformat(), end.isoformat())
    return board, end, words + _up_to_words(_so_far(end), end)


@statistics_view
def office_csv(request: HttpRequest, scope: Scope, office_code: str) -> HttpResponse:
    """The page's table by agency with the office's total (the other tables: the Excel)."""
    board, end, words = _office_board(request, scope, office_code)
    return spreadsheets.csv_response(
        dashboard_export.agency_header(),
        dashboard_export.agency_rows(board, end),
        filename=download_name(*words, _file_word("by-agency"), ext="csv"),
    )


@statistics_view
def office_xlsx(request: HttpRequest, scope: Scope, office_code: str) -> HttpResponse:
    board, end, words = _office_board(request, scope, office_code)
    return spreadsheets.xlsx_response(
        dashboard_export.sheets(board, dashboards.labelled(board.weeks.breakdown), end),
        filename=download_name(*words, ext="xlsx"),
    )


def _agency(scope: Scope, code: str) -> Agency:
    agency = get_object_or_404(Agency, code=code)
    if not scope.allows_agency(agency.pk):
        raise NoStatistics(_("You may not see this agency's statistics."))
    return agency


@statistics_view
def agency(request: HttpRequest, scope: Scope, agency_code: str) -> HttpResponse:
    found = _agency(scope, agency_code)
    try:
        start, end = _period(request)
    except BadPeriod as exc:
        return _period_page(request, "reports/agency.html", exc, {"agency": found})
    not_begun = _not_begun_page(request, "reports/agency.html", start, end, {"agency": found})
    if not_begun is not None:
        return not_begun
    board = dashboards.agency_dashboard(scope=scope, agency=found, start=start, end=_so_far(end))
    return render(
        request,
        "reports/agency.html",
        {
            "board": board,
            "agency": found,
            "target_agencies": [found],
            "last_month": _report_month(start, end),
            # walk F19: the last 30 days beside a calendar month, each named as what it is
            "last_month_text": date_format(parse_month(_report_month(start, end)), "F Y"),
            "default_period": not request.GET.get("from") and not request.GET.get("to"),
            "period_from": start.isoformat(),
            "breakdown": dashboards.labelled(board.breakdown),
            "period_note": _period_note(start, end),
            "period_to": end.isoformat(),
            **coverage.page_context(
                start=start,
                end=_so_far(end),
                agency=found,
                office_ids=scope.office_ids,
                trend=board.trend,
                ranked=board.ranked,
            ),
        },
    )


def _report_month(start: dt.date, end: dt.date) -> str:
    """The month whose report the agency page links to: the month viewed when the period is
    one whole calendar month (walk F30: October viewed, November linked), else last month."""
    following = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    if start.day == 1 and end == following - dt.timedelta(days=1):
        return start.strftime("%Y-%m")
    return (clock.local_today().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")


def _agency_board(
    request: HttpRequest, scope: Scope, agency_code: str
) -> tuple[dashboards.Dashboard, dt.date, tuple[str, ...]]:
    """The agency page's figures of its period for a file, and the words of the file's name
    (a period not begun: 404 with the page's words, as the reports' files)."""
    found = _agency(scope, agency_code)
    start, end = _period(request)
    if start > clock.local_today():
        raise NotBegun()
    board = dashboards.agency_dashboard(scope=scope, agency=found, start=start, end=_so_far(end))
    words = (_file_word("statistics"), found.code, start.isoformat(), end.isoformat())
    return board, end, words + _up_to_words(_so_far(end), end)


@statistics_view
def agency_csv(request: HttpRequest, scope: Scope, agency_code: str) -> HttpResponse:
    """The agency page's period: its table by service with the total (walk F30)."""
    board, end, words = _agency_board(request, scope, agency_code)
    return spreadsheets.csv_response(
        dashboard_export.group_header(_("Service")),
        dashboard_export.group_rows(board, end),
        filename=download_name(*words, _file_word("by-service"), ext="csv"),
    )


@statistics_view
def agency_xlsx(request: HttpRequest, scope: Scope, agency_code: str) -> HttpResponse:
    board, end, words = _agency_board(request, scope, agency_code)
    return spreadsheets.xlsx_response(
        dashboard_export.agency_sheets(board, dashboards.labelled(board.breakdown), end),
        filename=download_name(*words, ext="xlsx"),
    )


def _report(scope: Scope, agency_code: str, month: str) -> AgencyReport:
    return agency_month_report(
        scope=scope, agency=_agency(scope, agency_code), month=parse_month(month)
    )


def _month_spans(report: AgencyReport) -> coverage.Spans:
    return coverage.spans(agency=report.agency, office_codes=[r.code for r in report.offices])


def _table(
    report: AgencyReport, spans: coverage.Spans | None = None
) -> tuple[list[str], list[list[Any]]]:
    """The offices and the Total; a row whose figures cover part of the month says why
    after its name (`coverage.marked`: page, CSV, Excel alike; walk F8–F10)."""
    s = spans or _month_spans(report)
    start, end = report.covered  # the one rule of the caveats (walk F19)
    header = [_("Office"), _("County"), *[str(label) for _key, label in COLUMNS]]
    rows = [
        [
            coverage.marked(r.name, coverage.office_reasons(s, r.code, start, end)),
            county_name(r.county),
            *[r.values[k] for k, _label in COLUMNS],
        ]
        for r in report.offices
    ]
    total = coverage.marked(
        total_label(report.up_to, report.last_day), coverage.period_reasons(s, start, end)
    )
    rows.append([total, "", *[report.total[k] for k, _label in COLUMNS]])
    return header, rows


def _service_table(report: AgencyReport) -> tuple[list[str], list[list[Any]]]:
    header = [_("Service"), *[str(label) for _key, label in COLUMNS]]
    return header, [[r.name, *[r.values[k] for k, _label in COLUMNS]] for r in report.services]


def _not_begun(
    request: HttpRequest, scope: Scope, agency_code: str, exc: NotBegun, title: str
) -> HttpResponse:
    """A report's page for a month or year after today: says so (200), no table of zeros;
    its CSV, Excel and API answer 404 with the same words (a file cannot carry the note)."""
    return render(
        request,
        "reports/not_begun.html",
        {"agency": _agency(scope, agency_code), "message": exc.message, "title": title},
    )


@statistics_view
def agency_report(request: HttpRequest, scope: Scope, agency_code: str, month: str) -> HttpResponse:
    try:
        report = _report(scope, agency_code, month)
    except NotBegun as exc:
        title = date_format(parse_month(month), "YEAR_MONTH_FORMAT")
        return _not_begun(request, scope, agency_code, exc, title)
    spans = _month_spans(report)
    header, rows = _table(report, spans)
    s_header, s_rows = _service_table(report)
    return render(
        request,
        "reports/agency_report.html",
        {
            "report": report,
            "partial_notes": coverage.notes(spans, *report.covered, subject=report.agency.name),
            "header": header,
            "rows": rows,
            "service_header": s_header,
            "service_rows": s_rows,
            "places": column_places(2),
            "service_places": column_places(1),
            "month": month,
            "unknown_notes": unknown_notes(),
        },
    )


# The words of the statistics files' names, in the page's language (walk F13: an English
# page's files were named in English words, a Swedish page's too): `download_name` makes
# them ASCII ("per-tjanst"). The `?table=` values stay as they are.
_FILE_WORDS = {
    "statistics": pgettext_lazy("file name", "statistics"),
    "by-agency": pgettext_lazy("file name", "by-agency"),
    "by-service": pgettext_lazy("file name", "by-service"),
    "up-to": pgettext_lazy("file name", "up-to"),
    "offices": pgettext_lazy("file name", "offices"),
    "services": pgettext_lazy("file name", "services"),
    "months": pgettext_lazy("file name", "months"),
}


def _file_word(word: str) -> str:
    return str(_FILE_WORDS[word])


def _up_to_words(up_to: dt.date, end: dt.date) -> tuple[str, ...]:
    """A running period's file name says up to which day its figures go."""
    return () if up_to >= end else (_file_word("up-to"), up_to.isoformat())


def _filename(report: AgencyReport, ext: str, table: str = "") -> str:
    return download_name(
        _file_word("statistics"),
        report.agency.code,
        f"{report.month:%Y-%m}",
        _file_word(table) if table else "",
        *_up_to_words(report.up_to, report.last_day),
        ext=ext,
    )


class UnknownTable(DomainError):
    http_status = 400
    default_message = gettext_lazy("There is no such table in this report.")


def _csv_table(request: HttpRequest, tables: tuple[str, ...]) -> str:
    """The table a report's CSV holds (`?table=`; a CSV file holds one table): the first of
    `tables` by default; the file's name says which (walk F5)."""
    table = request.GET.get("table", "") or tables[0]
    if table not in tables:
        raise UnknownTable()
    return table


@statistics_view
def agency_report_csv(
    request: HttpRequest, scope: Scope, agency_code: str, month: str
) -> HttpResponse:
    """The monthly report's table per office (default) or per service (`?table=services`)."""
    table = _csv_table(request, ("offices", "services"))
    report = _report(scope, agency_code, month)
    header, rows = _table(report) if table == "offices" else _service_table(report)
    return spreadsheets.csv_response(header, rows, filename=_filename(report, "csv", table))


@statistics_view
def agency_report_xlsx(
    request: HttpRequest, scope: Scope, agency_code: str, month: str
) -> HttpResponse:
    report = _report(scope, agency_code, month)
    header, rows = _table(report)
    s_header, s_rows = _service_table(report)
    return spreadsheets.xlsx_response(
        [(_("Offices"), header, rows), (_("Services"), s_header, s_rows)],
        filename=_filename(report, "xlsx"),
    )


def _year_tables(
    scope: Scope, agency_code: str, year: str
) -> tuple[Any, list[str], list[list[Any]], list[str], list[list[Any]], coverage.Spans]:
    report = agency_year_report(scope=scope, agency=_agency(scope, agency_code), year=int(year))
    # a month, an office or the year whose figures cover part of it says why after its name
    # (`coverage.marked`; walk F8–F10)
    s = _year_spans(report)
    # the days the figures cover, the one rule of the caveats (walk F19)
    first, last = report.covered
    header = [_("Month"), *[str(label) for _key, label in COLUMNS]]
    months = [
        [
            coverage.marked(r.name, coverage.period_reasons(s, *report.month_covered(r.code))),
            *[r.values[k] for k, _label in COLUMNS],
        ]
        for r in report.months
    ]
    total = coverage.marked(
        total_label(report.up_to, dt.date(report.year, 12, 31)),
        coverage.period_reasons(s, first, last),
    )
    months.append([total, *[report.total[k] for k, _label in COLUMNS]])
    office_header = [_("Office"), _("County"), *[str(label) for _key, label in COLUMNS]]
    offices = [
        [
            coverage.marked(r.name, coverage.office_reasons(s, r.code, first, last)),
            county_name(r.county),
            *[r.values[k] for k, _label in COLUMNS],
        ]
        for r in report.offices
    ]
    # the same total as the months' (every office of the agency), as the monthly report's
    # table per office ends (walk F5)
    offices.append([total, "", *[report.total[k] for k, _label in COLUMNS]])
    return report, header, months, office_header, offices, s


def _year_spans(report: Any) -> coverage.Spans:
    return coverage.spans(agency=report.agency, office_codes=[r.code for r in report.offices])


@statistics_view
def agency_year(request: HttpRequest, scope: Scope, agency_code: str, year: str) -> HttpResponse:
    try:
        report, header, months, office_header, offices, spans = _year_tables(
            scope, agency_code, year
        )
    except NotBegun as exc:
        return _not_begun(request, scope, agency_code, exc, year)
    return render(
        request,
        "reports/agency_year.html",
        {
            "report": report,
            "partial_notes": coverage.notes(spans, *report.covered, subject=report.agency.name),
            "header": header,
            "rows": months,
            "office_header": office_header,
            "office_rows": offices,
            "places": column_places(1),
            "office_places": column_places(2),
            "unknown_notes": unknown_notes(),
        },
    )


def _year_filename(report: Any, ext: str, table: str = "") -> str:
    end = dt.date(report.year, 12, 31)
    words = _up_to_words(report.up_to, end)
    return download_name(
        _file_word("statistics"),
        report.agency.code,
        report.year,
        _file_word(table) if table else "",
        *words,
        ext=ext,
    )


@statistics_view
def agency_year_xlsx(
    request: HttpRequest, scope: Scope, agency_code: str, year: str
) -> HttpResponse:
    report, header, months, office_header, offices, _spans = _year_tables(scope, agency_code, year)
    return spreadsheets.xlsx_response(
        [(_("Months"), header, months), (_("Offices"), office_header, offices)],
        filename=_year_filename(report, "xlsx"),
    )


@statistics_view
def agency_year_csv(
    request: HttpRequest, scope: Scope, agency_code: str, year: str
) -> HttpResponse:
    """The yearly report's table per month (default) or per office (`?table=offices`)."""
    table = _csv_table(request, ("months", "offices"))
    report, header, months, office_header, offices, _spans = _year_tables(scope, agency_code, year)
    return spreadsheets.csv_response(
        header if table == "months" else office_header,
        months if table == "months" else offices,
        filename=_year_filename(report, "csv", table),
    )
