"""Reads of the registry: what an office offers on a day, and when it is open."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils.translation import get_language

from servicekontor.catalog.models import Service
from servicekontor.core.i18n import pick_language
from servicekontor.network import opening_hours, outreach
from servicekontor.network.models import (
    ExceptionKind,
    Offering,
    Office,
    OfficeKind,
    OpeningHoursPeriod,
    OutreachRule,
)


def offices_operating_on(*, day: dt.date) -> QuerySet[Office]:
    return Office.objects.operating_on(day)


def offerings_on(*, office: Office, day: dt.date) -> QuerySet[Offering]:
    """What office X offered on day D (empty if the office was not operating)."""
    if not office.is_operating_on(day):
        return Offering.objects.none()
    return (
        Offering.objects.valid_on(day)
        .filter(office=office)
        .select_related("service", "service__agency")
        .order_by("service__agency__name_sv", "service__name_sv")
    )


def offices_offering(*, service: Service, day: dt.date) -> QuerySet[Office]:
    """Which operating offices offer service S on day D."""
    offering_office_ids = Offering.objects.valid_on(day).filter(service=service).values("office_id")
    return offices_operating_on(day=day).filter(pk__in=offering_office_ids)


def schedule_of(office: Office) -> opening_hours.Schedule:
    """The office's opening rules as plain data (two queries; prefetched rows are reused).

    Holiday names and exception reasons are in the active language.
    """
    periods = office.opening_periods.all()
    if not _is_prefetched(office, "opening_periods"):
        periods = periods.prefetch_related("hours")
    return opening_hours.Schedule(
        opened_on=office.opened_on,
        closed_on=office.closed_on,
        periods=tuple(
            opening_hours.Period(
                valid_from=period.valid_from,
                valid_to=period.valid_to,
                rules=tuple(
                    opening_hours.WeeklyRule(h.weekday, h.opens, h.closes)
                    for h in period.hours.all()
                ),
            )
            for period in periods
        ),
        exceptions={
            e.date: opening_hours.DayException(
                day=e.date,
                closed=e.kind == ExceptionKind.CLOSED,
                opens=e.opens,
                closes=e.closes,
                reason=pick_language(e.reason_sv, e.reason_en),
            )
            for e in office.exceptions.all()
        },
        closed_on_public_holidays=office.closed_on_public_holidays,
        closed_on_eves=office.closed_on_eves,
        language=get_language() or "sv",
        outreach=recurrences_of(office),
    )


def recurrence_of(rule: OutreachRule) -> outreach.Recurrence:
    return outreach.Recurrence(
        frequency=outreach.Frequency(rule.frequency),
        interval=rule.interval,
        weekday=rule.weekday,
        opens=rule.opens,
        closes=rule.closes,
        valid_from=rule.valid_from,
        valid_to=rule.valid_to,
        week_of_month=rule.week_of_month,
        holiday_policy=outreach.HolidayPolicy(rule.holiday_policy),
    )


def recurrences_of(office: Office) -> tuple[outreach.Recurrence, ...]:
    """An outreach stop's visit rules as plain data (one query unless prefetched); () for an
    office, without a query. Not in `with_schedules`' prefetch: stops are few, and offices
    should not pay a query for rules they cannot have."""
    if not office.is_outreach:
        return ()
    return tuple(recurrence_of(rule) for rule in office.outreach_rules.all())


def with_schedules(offices: QuerySet[Office]) -> QuerySet[Office]:
    """Prefetch what schedule_of needs, for lists of offices."""
    return offices.prefetch_related(
        Prefetch("opening_periods", queryset=OpeningHoursPeriod.objects.prefetch_related("hours")),
        "exceptions",
    )


def next_visits(
    *,
    office: Office,
    from_day: dt.date,
    count: int = 6,
    horizon_days: int = 400,
    after: dt.datetime | None = None,
) -> list[opening_hours.DayHours]:
    """An outreach stop's next `count` visit days from `from_day` (exceptions applied).
    `after`: an instant (now) — a visit whose hours have all ended by then is past, not next
    (walk finding 2026-12-01: at 21:10 today's 10–14 visit was listed under "Next visits")."""
    schedule = schedule_of(office)
    found = []
    for day in opening_hours.days(from_day, horizon_days):
        hours = opening_hours.day_hours(schedule, day)
        if hours.is_open and after is not None:
            ends = opening_hours.intervals_on(schedule, day)
            if ends and ends[-1][1] <= after:
                continue
        if hours.is_open:
            found.append(hours)
            if len(found) == count:
                break
    return found


def cancelled_visits(
    *, office: Office, from_day: dt.date, days: int = 90
) -> list[opening_hours.DayHours]:
    """An outreach stop's visits in the window that were cancelled or diverted (a closed
    exception on a day its rules would have served): the planned hours and the reason."""
    schedule = schedule_of(office)
    if not schedule.outreach:
        return []
    plain = opening_hours.Schedule(
        opened_on=schedule.opened_on,
        closed_on=schedule.closed_on,
        periods=(),
        closed_on_public_holidays=schedule.closed_on_public_holidays,
        closed_on_eves=schedule.closed_on_eves,
        language=schedule.language,
        outreach=schedule.outreach,
    )
    found = []
    for day in opening_hours.days(from_day, days):
        hours = opening_hours.day_hours(schedule, day)
        planned = opening_hours.day_hours(plain, day)
        if hours.is_exception and not hours.is_open and planned.is_open:
            # The planned hours, with the reason the visit is off.
            found.append(
                opening_hours.DayHours(
                    day, planned.intervals, closed_reason=hours.closed_reason, is_exception=True
                )
            )
    return found


def _is_prefetched(office: Office, name: str) -> bool:
    cache = getattr(office, "_prefetched_objects_cache", {})
    return name in cache


def opening_intervals(*, office: Office, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    """Aware [open, close) instants on a local day; holidays, eves and exceptions applied."""
    return opening_hours.intervals_on(schedule_of(office), day)


def is_open(*, office: Office, at: dt.datetime) -> bool:
    return opening_hours.is_open(schedule_of(office), at)


def next_opening(*, office: Office, after: dt.datetime) -> dt.datetime | None:
    return opening_hours.next_opening(schedule_of(office), after)


def closing_time(*, office: Office, at: dt.datetime) -> dt.datetime | None:
    """When the opening interval the office is in at `at` closes; None if closed then."""
    return opening_hours.closing_time(schedule_of(office), at)


def week_hours(*, office: Office, first_day: dt.date) -> list[opening_hours.DayHours]:
    """Seven days of hours starting on `first_day`, for the office page."""
    schedule = schedule_of(office)
    return [opening_hours.day_hours(schedule, day) for day in opening_hours.days(first_day, 7)]


def upcoming_closures(
    *, office: Office, from_day: dt.date, days: int = 60
) -> list[opening_hours.DayHours]:
    """Days in the window that differ from the weekly hours: exceptions, holidays and eves."""
    schedule = schedule_of(office)
    result = []
    for day in opening_hours.days(from_day, days):
        hours = opening_hours.day_hours(schedule, day)
        if hours.is_exception or hours.closed_reason:
            if hours.closed_reason == "not operating" or (
                not hours.is_exception and _is_weekend_without_hours(schedule, day)
            ):
                continue
            result.append(hours)
    return result


def _is_weekend_without_hours(schedule: opening_hours.Schedule, day: dt.date) -> bool:
    """A holiday on a day the office is closed anyway is not news."""
    plain = opening_hours.Schedule(
        opened_on=schedule.opened_on,
        closed_on=schedule.closed_on,
        periods=schedule.periods,
        closed_on_public_holidays=False,
        closed_on_eves=False,
        language=schedule.language,
        outreach=schedule.outreach,
    )
    return not opening_hours.day_hours(plain, day).is_open


@dataclass(frozen=True)
class StopVisit:
    """One outreach stop's visit on a day, for the staff's day view (walk F8): its hours,
    the rules that bring it (team or vehicle, the office that staffs it, how many officers),
    or why it is off that day (`cancelled`: a closed exception on a day its rules serve)."""

    stop: Office
    hours: opening_hours.DayHours
    rules: tuple[OutreachRule, ...]
    cancelled: bool = False


def outreach_day(*, day: dt.date) -> list[StopVisit]:
    """Every outreach stop operating on `day` that has a visit then (exceptions applied),
    first by its opening time, then by name; then the visits cancelled that day, with the
    reason. A rule is listed for a visit when it brings one on that day (holidays moved)."""
    stops = (
        with_schedules(Office.objects.filter(kind=OfficeKind.OUTREACH))
        .filter(opened_on__lte=day)
        .prefetch_related(
            Prefetch(
                "outreach_rules",
                queryset=OutreachRule.objects.select_related("staffed_from").order_by("opens"),
            )
        )
    )
    out: list[StopVisit] = []
    for stop in stops:
        schedule = schedule_of(stop)
        hours = opening_hours.day_hours(schedule, day)
        closed_day = opening_hours.closed_day_rule(
            schedule.closed_on_public_holidays, schedule.closed_on_eves
        )
        rules = tuple(
            rule
            for rule in stop.outreach_rules.all()
            if outreach.visit_dates(recurrence_of(rule), day, day, closed_day)
        )
        if hours.is_open:
            out.append(StopVisit(stop, hours, rules))
        elif hours.is_exception and rules:
            planned = outreach.visits([recurrence_of(r) for r in rules], day, day, closed_day)
            out.append(
                StopVisit(
                    stop,
                    opening_hours.DayHours(
                        day, planned.get(day, ()), hours.closed_reason, is_exception=True
                    ),
                    rules,
                    cancelled=True,
                )
            )
    return sorted(
        out,
        key=lambda v: (
            v.cancelled,
            v.hours.intervals[0][0] if v.hours.intervals else dt.time.max,
            v.stop.name,
        ),
    )
