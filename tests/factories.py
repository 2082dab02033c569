"""Plain factory functions for tests: keyword-only, sensible defaults, unique codes by counter.

Every factory writes one row (and the rows it needs) and returns it. Call them inside a test
that has database access (`@pytest.mark.django_db` or the `db` fixture). `race` runs work in
threads released together, for the race tests on PostgreSQL. Test support only: it lives
beside the tests, outside the `servicekontor` package, so it may import every app.

Personas: one name, one meaning, in every test module.

| name | who |
|---|---|
| alice | service officer at the office, trained for Skatteverket and Försäkringskassan (desk 1) |
| bob | service officer at the office, trained for Skatteverket only (desk 2) |
| charlie | service officer elsewhere (another office, or none): must not act at the office |
| erin | agency analyst (sees only her agency) |
| nadia | network administrator |
"""

from __future__ import annotations

import datetime as dt
import itertools
import string
import threading
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.db import connection

from servicekontor.accounts.models import Competence, OfficeAssignment, Role, User
from servicekontor.catalog.models import Agency, Capability, Service
from servicekontor.network import registry_cache
from servicekontor.network.models import (
    Offering,
    Office,
    OfficeKind,
    OpeningHoursPeriod,
    OutreachRule,
    ServicePoint,
    WeeklyHours,
)

_counter = itertools.count(1)
T = TypeVar("T")

DEFAULT_OPENED_ON = dt.date(2019, 6, 1)
DEFAULT_HOURS_FROM = dt.date(2019, 1, 1)
DEFAULT_OPENS = dt.time(10, 0)
DEFAULT_CLOSES = dt.time(16, 0)
DEFAULT_PASSWORD = "test-password-123"  # test accounts only


def _next() -> int:
    return next(_counter)


def _free_ticket_letter() -> str:
    used = set(Agency.objects.values_list("ticket_letter", flat=True))
    for letter in string.ascii_uppercase:
        if letter not in used:
            return letter
    raise RuntimeError("All 26 ticket letters are taken; pass letter= explicitly.")


def make_agency(
    *,
    code: str | None = None,
    letter: str | None = None,
    name_sv: str | None = None,
    name_en: str | None = None,
    partner_since: dt.date | None = None,
) -> Agency:
    """An agency with the first free ticket letter unless `letter` is given."""
    n = _next()
    code = code or f"agency-{n}"
    return Agency.objects.create(
        code=code,
        name_sv=name_sv or f"Myndighet {n}",
        name_en=name_en or f"Agency {n}",
        ticket_letter=letter or _free_ticket_letter(),
        partner_since=partner_since,
    )


def make_capability(*, code: str | None = None) -> Capability:
    n = _next()
    code = code or f"capability-{n}"
    return Capability.objects.get_or_create(
        code=code, defaults={"name_sv": f"Förmåga {code}", "name_en": f"Capability {code}"}
    )[0]


def make_service(
    *,
    agency: Agency | None = None,
    code: str | None = None,
    mode: str = "both",
    handling_minutes: int = 10,
    requires_identification: bool = False,
    required_capability: Capability | None = None,
    name_sv: str | None = None,
    name_en: str | None = None,
    video_meeting: bool = False,
) -> Service:
    """A service of `agency` (a new agency when none is given); mode is a ServiceMode value."""
    n = _next()
    return Service.objects.create(
        agency=agency or make_agency(),
        code=code or f"service-{n}",
        name_sv=name_sv or f"Tjänst {n}",
        name_en=name_en or f"Service {n}",
        mode=mode,
        handling_minutes=handling_minutes,
        requires_identification=requires_identification,
        required_capability=required_capability,
        video_meeting=video_meeting,
    )


def make_office(
    *,
    code: str | None = None,
    name: str | None = None,
    municipality: str = "Kiruna",
    county: str = "Norrbottens län",
    latitude: float = 67.8557,
    longitude: float = 20.2251,
    opened_on: dt.date = DEFAULT_OPENED_ON,
    closed_on: dt.date | None = None,
    hours: bool = True,
    counters: int = 2,
    closed_on_public_holidays: bool = True,
    closed_on_eves: bool = True,
    keeps_queue_overnight: bool = False,
) -> Office:
    """An office; with `hours` a period from 2019-01-01 open Mon–Fri 10:00–16:00.

    `counters` service points are created, numbered 1…n, active, without capabilities.
    """
    n = _next()
    office = Office.objects.create(
        code=code or f"office-{n}",
        name=name or f"Servicekontor {n}",
        municipality=municipality,
        county=county,
        street_address=f"Storgatan {n}",
        postal_code="981 31",
        postal_town=municipality,
        latitude=latitude,
        longitude=longitude,
        opened_on=opened_on,
        closed_on=closed_on,
        closed_on_public_holidays=closed_on_public_holidays,
        closed_on_eves=closed_on_eves,
        keeps_queue_overnight=keeps_queue_overnight,
    )
    if hours:
        period = OpeningHoursPeriod.objects.create(office=office, valid_from=DEFAULT_HOURS_FROM)
        WeeklyHours.objects.bulk_create(
            WeeklyHours(period=period, weekday=day, opens=DEFAULT_OPENS, closes=DEFAULT_CLOSES)
            for day in range(5)
        )
    ServicePoint.objects.bulk_create(
        ServicePoint(office=office, number=number) for number in range(1, counters + 1)
    )
    registry_cache.registry_changed()  # bulk creates send no signals
    return office


def open_around_the_clock(office: Office) -> Office:
    """Make `office` open at every hour of every day (holidays and eves included), from
    2019-01-01: for tests and benchmarks that run at whatever time it is (a queue ticket is
    issued only inside an open interval). Its earlier hours periods are removed."""
    office.opening_periods.all().delete()
    office.exceptions.all().delete()
    office.closed_on_public_holidays = office.closed_on_eves = False
    office.save(update_fields=["closed_on_public_holidays", "closed_on_eves"])
    period = OpeningHoursPeriod.objects.create(office=office, valid_from=DEFAULT_HOURS_FROM)
    WeeklyHours.objects.bulk_create(
        WeeklyHours(period=period, weekday=day, opens=dt.time.min, closes=dt.time.max)
        for day in range(7)
    )
    registry_cache.registry_changed()  # bulk creates send no signals
    return office


def make_outreach_stop(
    *,
    code: str | None = None,
    name: str | None = None,
    municipality: str = "Arjeplog",
    county: str = "Norrbottens län",
    latitude: float = 66.0517,
    longitude: float = 17.8861,
    weekday: int = 1,
    opens: dt.time = DEFAULT_OPENS,
    closes: dt.time = dt.time(14, 0),
    valid_from: dt.date = DEFAULT_HOURS_FROM,
    interval: int = 1,
    holiday_policy: str = "skip",
    staffed_from: Office | None = None,
    counters: int = 1,
) -> Office:
    """An outreach stop (Arjeplog by default: no office within 100 km) served every
    `interval` weeks on `weekday` from `opens` to `closes`, with `counters` desks."""
    n = _next()
    stop = Office.objects.create(
        code=code or f"stop-{n}",
        name=name or f"Mobilt servicekontor {municipality} {n}",
        kind=OfficeKind.OUTREACH,
        municipality=municipality,
        county=county,
        street_address=f"Torget {n}",
        postal_town=municipality,
        latitude=latitude,
        longitude=longitude,
        opened_on=DEFAULT_OPENED_ON,
    )
    OutreachRule.objects.create(
        office=stop,
        weekday=weekday,
        interval=interval,
        opens=opens,
        closes=closes,
        valid_from=valid_from,
        holiday_policy=holiday_policy,
        staffed_from=staffed_from,
    )
    ServicePoint.objects.bulk_create(
        ServicePoint(office=stop, number=number) for number in range(1, counters + 1)
    )
    registry_cache.registry_changed()  # bulk creates send no signals
    return stop


def make_offering(
    *,
    office: Office,
    service: Service,
    valid_from: dt.date = DEFAULT_OPENED_ON,
    valid_to: dt.date | None = None,
    source: str = "",
) -> Offering:
    return Offering.objects.create(
        office=office, service=service, valid_from=valid_from, valid_to=valid_to, source=source
    )


def make_user(
    *,
    role: str = "service_officer",
    offices: Iterable[Office] = (),
    agencies: Iterable[Agency] = (),
    analyst_agency: Agency | None = None,
    username: str | None = None,
    password: str = DEFAULT_PASSWORD,
    is_staff: bool | None = None,
    is_superuser: bool = False,
) -> User:
    """A staff member; `offices` become assignments, `agencies` competences.

    An agency analyst without `analyst_agency` gets a new agency. Network administrators are
    Django staff (may use the admin) unless `is_staff` says otherwise.
    """
    n = _next()
    if role == Role.AGENCY_ANALYST and analyst_agency is None:
        analyst_agency = make_agency()
    if is_staff is None:
        is_staff = role == Role.NETWORK_ADMIN or is_superuser
    user = User.objects.create_user(
        username=username or f"user{n}",
        password=password,
        role=role,
        analyst_agency=analyst_agency,
        is_staff=is_staff,
        is_superuser=is_superuser,
    )
    OfficeAssignment.objects.bulk_create(
        OfficeAssignment(user=user, office=office) for office in offices
    )
    Competence.objects.bulk_create(Competence(user=user, agency=agency) for agency in agencies)
    return user


def race(n: int, work: Callable[[int], T]) -> list[T | BaseException]:
    """Run work(0) … work(n − 1) in n threads released together by a barrier, each on its own
    database connection (closed when its work ends). Returns what each returned, in order, or
    the exception it raised. Needs `django_db(transaction=True)`: the threads must see rows the
    test wrote."""
    barrier = threading.Barrier(n)
    outcome: dict[int, T | BaseException] = {}

    def run(i: int) -> None:
        try:
            barrier.wait()
            outcome[i] = work(i)
        except BaseException as exc:  # handed to the test, which asserts on it
            outcome[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [outcome[i] for i in range(n)]
