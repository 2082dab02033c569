"""Bad input is a 400 or a 404 with a message, never a 500: the kinds from issue 13 and variants.

The parsing helpers (core.params) are tested here directly; the pages and API through HTTP.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import BadRequest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from servicekontor.core import params
from servicekontor.network.csv_import.reading import read_offices
from servicekontor.network.csv_import.rows import OFFICE_COLUMNS
from servicekontor.planning.plans import PlanInputError, read_matrix_csv, read_sites_csv
from tests.factories import make_offering, make_office, make_service

# --- the helpers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", ["", "abc", "²", "١٢", "-1", "0", "1.0", " ", "9223372036854775808", "1e3", None, "\x00"]
)
def test_params__parse_id__refuses_what_is_not_a_bigint_id(raw) -> None:
    assert params.parse_id(raw) is None


@pytest.mark.parametrize(
    ("raw", "value"), [("1", 1), (" 42 ", 42), ("9223372036854775807", 2**63 - 1)]
)
def test_params__parse_id__ascii_digits(raw, value) -> None:
    assert params.parse_id(raw) == value


@given(st.text(max_size=25))
def test_params__parse_id__never_raises_and_stays_in_range(raw: str) -> None:
    value = params.parse_id(raw)
    assert value is None or 1 <= value <= params.MAX_ID


@pytest.mark.parametrize(
    "raw",
    [
        "2026-02-30",
        "2026-13-01",
        "20260601",
        "9999-12-31",
        "9999-12-30",
        "0001-01-01",
        "２０２６-０１-０１",
        "2026-1-1",
        "yesterday",
        "2026-01-01\x00",
    ],
)
def test_params__parse_date__refuses_with_a_message(raw: str) -> None:
    with pytest.raises(ValueError, match=r"\S"):
        params.parse_date(raw)
    with pytest.raises(BadRequest):
        params.date_or_400(raw, dt.date(2026, 1, 1))


@given(st.text(max_size=12))
def test_params__parse_date__a_week_later_never_overflows(raw: str) -> None:
    try:
        day = params.parse_date(raw)
    except ValueError:
        return
    assert day + dt.timedelta(days=400) > day


@pytest.mark.parametrize(
    "raw", ["9999-12", "0001-01", "2026-13", "2026-00", "2026-1", "202603", "٢٠٢٦-03", "", "\x00"]
)
def test_params__parse_month__refuses_with_a_message(raw: str) -> None:
    with pytest.raises(ValueError, match=r"\S"):
        params.parse_month(raw)


def test_params__parse_month__the_first_day() -> None:
    assert params.parse_month(" 2026-03 ") == dt.date(2026, 3, 1)
    assert params.parse_month("2999-12") == dt.date(2999, 12, 1)


@pytest.mark.parametrize(
    "raw",
    ["2025-W53", "2026-W00", "2026-W54", "9999-W52", "0001-W01", "2026-10", "2026W10", "٢٠٢٦-W10"],
)
def test_params__parse_iso_week__refuses_with_a_message(raw: str) -> None:
    with pytest.raises(ValueError, match=r"\S"):
        params.parse_iso_week(raw)


def test_params__parse_iso_week__the_monday() -> None:
    assert params.parse_iso_week("2026-W53") == dt.date(2026, 12, 28)  # 2026 has 53 weeks
    assert params.parse_iso_week("2026-w10") == dt.date(2026, 3, 2)


@pytest.mark.parametrize(
    "raw",
    [
        "253402300799",  # 9999-12-31 23:59:59 UTC (walk finding F2)
        "32503680000",  # 3000-01-01 00:00 UTC, one second past the range
        str(2**63),
        str(10**30),
        "-1",
        "-253402300799",
        "1e9",
        "١٢",
        "",
        253402300799,
        -1,
        None,
    ],
)
def test_params__parse_timestamp__refuses_with_a_message(raw: object) -> None:
    with pytest.raises(ValueError, match=r"\S"):
        params.parse_timestamp(raw)


def test_params__parse_timestamp__range_ends() -> None:
    assert params.parse_timestamp("0") == dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    assert params.parse_timestamp(params.MAX_TIMESTAMP).date() == params.MAX_DATE


@given(st.integers(min_value=-(10**20), max_value=10**20))
def test_params__parse_timestamp__never_overflows_a_day_later(seconds: int) -> None:
    try:
        instant = params.parse_timestamp(str(seconds))
    except ValueError:
        return
    assert (instant + dt.timedelta(days=400)).date() > instant.date()


# --- API ---------------------------------------------------------------------------------


@pytest.fixture
def registry(db):
    service = make_service(mode="both")
    office = make_office()
    make_offering(office=office, service=service)
    return office, service


API_URLS = [
    "/api/offices/?agency=%00",
    "/api/offices/?county=%00",
    "/api/offices/?service=%00",
    "/api/offices/%00/",
    "/api/offices/%00/opening-hours/",
    "/api/agencies/%00/",
    "/api/offerings/?office=%00",
    "/api/offices/?limit=9223372036854775808",
    "/api/offices/?offset=9223372036854775808",
    "/api/offerings/?limit=9223372036854775808&offset=99999999999999999999",
    "/api/services/?limit=%C2%B2",
    "/api/services/?offset=abc",
    "/api/offices/?service=%C2%B2",
    "/api/offices/?service=%D9%A1%D9%A2",
    "/api/offices/?service=9223372036854775808",
    "/api/offerings/?service=%C2%B2",
    "/api/offerings/?service=99999999999999999999",
    "/api/services/99999999999999999999/",
    "/api/offerings/99999999999999999999/",
    "/api/services/%C2%B2/",
    "/api/offices/?on=9999-12-31",
    "/api/offices/?on=2026-02-30",
    "/api/offerings/?on=0000-01-01",
    "/api/offices/{office}/opening-hours/?from=9999-12-30",
    "/api/offices/{office}/opening-hours/?from=9999-12-30&to=9999-12-31",
    "/api/offices/{office}/opening-hours/?to=9999-12-31",
    "/api/offices/{office}/opening-hours/?from=2026-02-30",
    "/api/offices/{office}/?on=%00",
    "/api/offices/?on=0001-01-01",
    "/api/offices/{office}/opening-hours/?from=0001-01-01",
    "/api/offices/{office}/opening-hours/?from=2026-13-01",
    "/api/statistics/figures/?from=9999-12-31&to=9999-12-31",
    "/api/statistics/agency-report/skatteverket/9999-12/",
    "/api/costs/what-if/?month=9999-12&agency=x&offices={office}&action=leave&start=2026-01-01",
    "/api/costs/what-if/?month=2026-01&agency=x&offices={office}&action=leave&start=9999-12-31",
]


@pytest.mark.parametrize("url", API_URLS)
def test_api__bad_input__4xx_not_500(registry, url: str) -> None:
    office, _service = registry
    response = APIClient().get(url.format(office=office.code))
    assert 200 <= response.status_code < 500, response.content[:300]
    if response.status_code >= 400:
        assert response.json()  # a message, in JSON


def test_api__huge_limit__a_bounded_page(registry) -> None:
    response = APIClient().get("/api/offices/?limit=9223372036854775808")
    assert response.status_code == 200
    assert response.json()["count"] == 1


# --- public pages ------------------------------------------------------------------------


@pytest.fixture
def booking_world(db):
    from servicekontor.appointments.tests.conftest import allocate

    service = make_service(mode="both", handling_minutes=30)
    office = make_office(counters=2)
    make_offering(office=office, service=service)
    allocate(office)
    return office, service


BAD_DAYS = ["9999-12-31", "2026-02-30", "20260601", "%00", "9999-12-30", "abc", "2026-1-1"]


@pytest.mark.parametrize("param", ["from", "day"])
@pytest.mark.parametrize("raw", BAD_DAYS)
def test_booking_times__bad_from_or_day__400(booking_world, settings, param, raw: str) -> None:
    # `day` was silently ignored (the first free day shown) while `from` was a 400.
    settings.APPOINTMENTS_RATE_LOOKUP = "1000/m"
    office, service = booking_world
    url = reverse("appointments:times", args=[service.pk, office.code]) + f"?{param}={raw}"
    response = Client().get(url)
    assert response.status_code == 400
    assert "<h1>" in response.content.decode()


@pytest.mark.parametrize("param", ["from", "day"])
def test_reschedule_and_desk_booking__bad_from_or_day__400(
    booking_world, settings, client, param: str
) -> None:
    # The other two pages that list free days (the same `_times_context`).
    import time_machine

    from servicekontor.appointments import services
    from servicekontor.appointments.tests.conftest import MONDAY_MORNING, TUESDAY, local
    from servicekontor.queueing.tests.conftest import build_world

    settings.APPOINTMENTS_RATE_BOOK = settings.APPOINTMENTS_RATE_LOOKUP = "1000/m"
    office, service = booking_world
    with time_machine.travel(MONDAY_MORNING, tick=False):
        made = services.book_appointment(
            office=office,
            service=service,
            starts_at=local(TUESDAY, 10),
            contact=services.Contact(name="A", email="a@x.se"),
        )
        url = reverse("appointments:reschedule", args=[made.token])
        assert Client().get(url, {param: "2025-03-12"}).status_code == 200
        assert Client().get(url, {param: "2025-02-30"}).status_code == 400
        world = build_world()
        make_offering(office=world.office, service=service)
        client.force_login(world.alice)
        desk = reverse("appointments:desk_book", args=[world.office.code])
        assert client.get(desk, {"service": service.pk, param: "2025-03-12"}).status_code == 200
        assert client.get(desk, {"service": service.pk, param: "2025-02-30"}).status_code == 400


def test_booking_contact__email_longer_than_the_column__400(booking_world, settings) -> None:
    settings.APPOINTMENTS_RATE_BOOK = "1000/m"
    office, service = booking_world
    import time_machine

    from servicekontor.appointments.tests.conftest import MONDAY_MORNING, local

    with time_machine.travel(MONDAY_MORNING, tick=False):
        url = reverse(
            "appointments:contact",
            args=[service.pk, office.code, int(local(MONDAY_MORNING.date(), 11).timestamp())],
        )
        email = "a" * 64 + "@" + ".".join(["b" * 60] * 4) + ".se"  # valid parts, 311 chars
        for address in (email, "x" * 290 + "@example.org"):
            response = Client().post(url, {"name": "A", "email": address})
            assert response.status_code == 400


@pytest.mark.parametrize(
    ("method", "name", "data"),
    [
        ("get", "public:finder", {"q": "\x00"}),
        ("post", "accounts:login", {"username": "\x00", "password": "x"}),
        ("post", "appointments:kiosk_check_in", {"code": "AB\x00"}),
    ],
)
def test_pages__nul_anywhere__400(booking_world, method, name, data) -> None:
    office, _service = booking_world
    args = [office.code] if name == "appointments:kiosk_check_in" else []
    response = getattr(Client(), method)(reverse(name, args=args), data)
    assert response.status_code == 400


def test_pages__nul_in_path__400_or_404(booking_world) -> None:
    response = Client().get("/book/manage/abc%00def/")
    assert response.status_code in (400, 404)


# --- desk --------------------------------------------------------------------------------


def test_desk__non_numeric_and_huge_ids__400_not_500(client, db) -> None:
    from servicekontor.queueing.tests.conftest import build_world

    world = build_world()
    client.force_login(world.alice)
    choose = reverse("desk:choose")

    # Every desk POST redirects (decision 0024); the refusal's status is in X-Refused.
    def refused(response: HttpResponse) -> int:
        assert response.status_code in (303, 400), response.status_code
        return int(response.get("X-Refused", str(response.status_code)))

    for value in ("abc", "²", "9223372036854775808", ""):
        assert refused(client.post(choose, {"service_point": value})) == 400
    act = reverse("desk:act", kwargs={"office_code": world.office.code})
    for action in ("transfer", "add_service", "finish", "call", "errand"):
        for value in ("abc", "²", "99999999999999999999"):
            response = client.post(act, {"action": action, "visit": value, "service": value})
            assert 400 <= refused(response) < 500, (action, value, response.status_code)
            # the finish form's second errand (time split) takes a service id too
            response = client.post(
                act,
                {"action": "finish", "visit": "1", "split_service": value, "split_percent": "50"},
            )
            assert 400 <= refused(response) < 500, ("split", value, response.status_code)
    response = client.post(act, {"action": "finish", "visit": "1", "note": "a\x00b"})
    assert refused(response) == 400


# --- uploads and imports -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "latitude,longitude,code,name\n60,15\n",
        "code,name,latitude,longitude\nA,B\n",
        "code,name,latitude,longitude\nA\x00,B,60,15\n\x00",
        "code,name,latitude,longitude\nA,B,nan,15\n",
    ],
)
def test_planning_sites_csv__short_rows_and_nul__plan_input_error(text: str) -> None:
    try:
        read_sites_csv(text)
    except PlanInputError:
        return
    # a NUL inside a value may be read; it must then not be a crash either
    assert "\x00" in text


@pytest.mark.parametrize("text", ["demand_id,site_code,value\n1,\x00A,3\n", "1,A\n", "\x00"])
def test_planning_matrix_csv__nul_or_short__plan_input_error_or_read(text: str) -> None:
    try:
        values = read_matrix_csv(text)
    except PlanInputError as exc:
        assert "Line" in str(exc) or "cannot be read" in str(exc)
    else:
        assert isinstance(values, dict)


def _offices_csv(**values: str) -> io.StringIO:
    row = dict.fromkeys(OFFICE_COLUMNS, "")
    row.update(
        code="kiruna",
        name="Kiruna",
        municipality="Kiruna",
        county="Norrbottens län",
        latitude="67.85",
        longitude="20.22",
        opened_on="2019-06-01",
    )
    row.update(values)
    header = ",".join(OFFICE_COLUMNS)
    line = ",".join(row[c] for c in OFFICE_COLUMNS)
    return io.StringIO(f"{header}\n{line}\n")


def test_import_offices__valid_row__read() -> None:
    rows, errors = read_offices(_offices_csv())
    assert errors == [] and len(rows) == 1


@pytest.mark.parametrize(
    "values",
    [
        {"name": "Kir\x00una"},
        {"latitude": "-33.9"},
        {"latitude": "20.22", "longitude": "67.85"},  # swapped
        {"longitude": "-20.22"},
    ],
)
def test_import_offices__nul_or_outside_sweden__error_with_line(values) -> None:
    rows, errors = read_offices(_offices_csv(**values))
    assert rows == []
    assert [e.line for e in errors] == [2]


# --- rebooking after a closure -----------------------------------------------------------


def test_rebooking_after_closure__second_post_is_not_a_500_and_offer_ends(
    booking_world, settings, django_capture_on_commit_callbacks
) -> None:
    import time_machine
    from django.core import mail

    from servicekontor.appointments import queries, services
    from servicekontor.appointments.models import Booking, BookingStatus
    from servicekontor.appointments.tests.conftest import MONDAY_MORNING, TUESDAY, local
    from servicekontor.network.models import ExceptionKind, OpeningException

    settings.APPOINTMENTS_RATE_BOOK = settings.APPOINTMENTS_RATE_LOOKUP = "1000/m"
    office, service = booking_world
    with time_machine.travel(MONDAY_MORNING, tick=False):
        hit = services.book_appointment(
            office=office,
            service=service,
            starts_at=local(TUESDAY, 10),
            contact=services.Contact(name="A", email="a@x.se"),
        ).booking
        OpeningException.objects.create(office=office, date=TUESDAY, kind=ExceptionKind.CLOSED)
        with django_capture_on_commit_callbacks(execute=True):
            services.release_bookings_without_capacity(offices=[office])
        token = mail.outbox[-1].body.split("/manage/")[1].split("/")[0]
        url = reverse("appointments:reschedule", args=[token])
        client = Client()
        first = client.post(
            url, {"start": int(local(TUESDAY + dt.timedelta(days=2), 10).timestamp())}
        )
        second = client.post(
            url, {"start": int(local(TUESDAY + dt.timedelta(days=2), 11).timestamp())}
        )
        assert first.status_code == 302
        # The link is the booking's for life: the second post moves the same booking again
        # (one booking, never two).
        assert second.status_code == 302
        assert Booking.objects.count() == 1
        hit.refresh_from_db()
        assert hit.status == BookingStatus.BOOKED
        assert hit.starts_at == local(TUESDAY + dt.timedelta(days=2), 11)
        assert queries.booking_by_token(token) == hit


# --- instants and dates at the edge on the booking pages (walk findings F2, F3) ----------

EDGE_TIMESTAMPS = [253402300799, 32503680000, 2**63, 10**30]


@pytest.mark.parametrize("ts", EDGE_TIMESTAMPS)
def test_booking_contact__timestamp_out_of_range__400_with_a_way_back(
    booking_world, settings, ts: int
) -> None:
    settings.APPOINTMENTS_RATE_LOOKUP = settings.APPOINTMENTS_RATE_BOOK = "1000/m"
    office, service = booking_world
    url = f"/book/service/{service.pk}/{office.code}/{ts}/"
    for response in (Client().get(url), Client().post(url, {"name": "A", "email": "a@x.se"})):
        assert response.status_code == 400
        body = response.content.decode()
        assert reverse("appointments:times", args=[service.pk, office.code]) in body


@pytest.mark.parametrize(
    "raw", ["253402300799", "32503680000", str(2**63), "-1", "-253402300799", "abc", "١٢", ""]
)
def test_reschedule_and_desk_booking__start_out_of_range__400(
    booking_world, settings, client, raw: str
) -> None:
    import time_machine

    from servicekontor.appointments import services
    from servicekontor.appointments.tests.conftest import MONDAY_MORNING, TUESDAY, local
    from servicekontor.queueing.tests.conftest import build_world

    settings.APPOINTMENTS_RATE_BOOK = settings.APPOINTMENTS_RATE_LOOKUP = "1000/m"
    office, service = booking_world
    with time_machine.travel(MONDAY_MORNING, tick=False):
        made = services.book_appointment(
            office=office,
            service=service,
            starts_at=local(TUESDAY, 10),
            contact=services.Contact(name="A", email="a@x.se"),
        )
        url = reverse("appointments:reschedule", args=[made.token])
        assert Client().get(url, {"start": raw}).status_code == 400
        assert Client().post(url, {"start": raw}).status_code == 400
        made.booking.refresh_from_db()
        assert made.booking.starts_at == local(TUESDAY, 10)
        world = build_world()
        client.force_login(world.alice)
        desk = reverse("appointments:desk_book", args=[world.office.code])
        response = client.post(desk, {"service": "1", "start": raw, "name": "B"})
        assert 400 <= response.status_code < 500


# --- the 400 page whatever DEBUG is --------------------------------------------------------


@pytest.mark.parametrize("debug", [True, False])
def test_bad_day__the_times_page_with_its_message_whatever_debug(
    booking_world, settings, debug: bool
) -> None:
    # With DEBUG on (`make run`) a BadRequest from core.params was Django's yellow debug
    # page with server paths. A bad day on the times page is now that page itself, the
    # message above its days (walk, 1 Dec 2026: it was a dead end to the office finder).
    settings.DEBUG = debug
    settings.APPOINTMENTS_RATE_LOOKUP = "1000/m"
    office, service = booking_world
    url = reverse("appointments:times", args=[service.pk, office.code])
    response = Client().get(url, {"day": "2026-02-30"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Felaktig förfrågan" not in body and 'class="days"' in body
    assert str(settings.BASE_DIR) not in body and "Traceback" not in body
    with pytest.raises(ValueError, match=r"\S") as raised:
        params.parse_date("2026-02-30")
    from django.utils.html import escape

    assert escape(str(raised.value)) in body


def _bad_request_page(settings, debug: bool, referer: str | None = None) -> str:
    """The site's 400 page for a BadRequest from an HTML view (BadRequestPageMiddleware)."""
    from django.test import RequestFactory
    from django.utils import translation

    from servicekontor.core.middleware import BadRequestPageMiddleware

    settings.DEBUG = debug
    request = RequestFactory().get("/book/service/1/x/")
    if referer is not None:
        request.META["HTTP_REFERER"] = referer
    with translation.override("sv"):
        response = BadRequestPageMiddleware(lambda r: HttpResponse()).process_exception(
            request, BadRequest("Ange ett datum som ÅÅÅÅ-MM-DD.")
        )
    assert response is not None and response.status_code == 400
    return response.content.decode()


@pytest.mark.parametrize("debug", [True, False])
def test_bad_request__the_site_page_with_its_message_whatever_debug(
    db, settings, debug: bool
) -> None:
    body = _bad_request_page(settings, debug)
    assert "Felaktig förfrågan" in body and "Hitta ett servicekontor" in body
    assert "Ange ett datum som ÅÅÅÅ-MM-DD." in body
    assert str(settings.BASE_DIR) not in body and "Traceback" not in body


@pytest.mark.parametrize("debug", [True, False])
def test_bad_request__back_link_only_to_this_site(db, settings, debug: bool) -> None:
    settings.ALLOWED_HOSTS = ["testserver"]
    came_from = "http://testserver/book/service/1/x/?day=2026-03-02"
    body = _bad_request_page(settings, debug, came_from)
    assert f'<a href="{came_from.replace("&", "&amp;")}">Tillbaka</a>' in body
    for elsewhere in ("https://evil.example/x", "//evil.example/x", "javascript:alert(1)"):
        other = _bad_request_page(settings, debug, elsewhere)
        assert "Tillbaka" not in other and "evil" not in other
    assert "Tillbaka" not in _bad_request_page(settings, debug)


@pytest.mark.parametrize("debug", [True, False])
def test_bad_request__api_answers_json(settings, db, debug: bool) -> None:
    from django.http import HttpRequest

    from servicekontor.core.middleware import BadRequestPageMiddleware

    settings.DEBUG = debug
    request = HttpRequest()
    request.path = "/api/offices/"
    request.META["SERVER_NAME"] = "testserver"
    request.META["SERVER_PORT"] = "80"
    response = BadRequestPageMiddleware(lambda r: HttpResponse()).process_exception(
        request, BadRequest("Enter a date as YYYY-MM-DD.")
    )
    assert response is not None and response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert b"YYYY-MM-DD" in response.content


# --- coordinates: a value that is not one has its own error ----------------------------------


@pytest.mark.parametrize(
    ("data", "bad"),
    [
        ({"lat": "abc", "lon": "1"}, "lat"),
        ({"lat": "59.33", "lon": "abc"}, "lon"),
        ({"lat": "59,33", "lon": "1,2,3"}, "lon"),
    ],
)
def test_place_form__invalid_coordinate__its_own_error_not_give_both(data, bad) -> None:
    from django.utils import translation

    from servicekontor.core.forms import PlaceForm

    # the example is of the field's kind: a latitude for the latitude, a longitude for the
    # longitude (walk, 1 Dec 2026: "inf" as longitude was told "e.g. 59.33")
    example = {"lat": ("59.33", "59,33"), "lon": ("18.07", "18,07")}[bad]
    with translation.override("en"):
        form = PlaceForm(data)
        assert not form.is_valid()
        assert form.errors[bad] == [f"Enter decimal degrees, e.g. {example[0]}."]
        assert not form.non_field_errors()
        assert list(form.errors) == [bad]
    with translation.override("sv"):
        form = PlaceForm(data)
        assert form.errors[bad] == [f"Ange decimala grader, t.ex. {example[1]}."]


def test_place_form__one_coordinate_missing__give_both() -> None:
    from django.utils import translation

    from servicekontor.core.forms import PlaceForm

    with translation.override("en"):
        form = PlaceForm({"lat": "59.33", "lon": ""})
        assert form.non_field_errors() == ["Give both latitude and longitude, or neither."]


@pytest.mark.parametrize("language", ["en", "sv"])
def test_office_search__invalid_latitude__its_own_error_over_http(
    booking_world, settings, language
) -> None:
    from django.utils import translation

    settings.APPOINTMENTS_RATE_LOOKUP = "1000/m"
    _office, service = booking_world
    with translation.override(language):
        urls = [reverse("appointments:offices", args=[service.pk]), reverse("public:finder")]
    expected, wrong = {
        "en": ("Enter decimal degrees, e.g. 59.33.", "Give both latitude"),
        "sv": ("Ange decimala grader, t.ex. 59,33.", "Fyll i både latitud"),
    }[language]
    for url in urls:
        response = Client().get(url, {"lat": "abc", "lon": "1"})
        assert response.status_code == 400, url
        body = response.content.decode()
        assert expected in body and wrong not in body, url


# --- ids in URL paths (core.url_converters) -----------------------------------------------


def _id_routes() -> list[tuple[str, dict[str, object]]]:
    """(route text, its id parts) of every URL pattern, and every converter seen."""
    from django.urls import URLResolver, get_resolver

    found = []

    def walk(patterns: list, prefix: str, converters: dict[str, object]) -> None:
        for entry in patterns:
            here = {**converters, **getattr(entry.pattern, "converters", {})}
            text = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, text, here)
            else:
                found.append((text, here))

    walk(get_resolver().url_patterns, "/", {})
    return found


def test_url_ids__no_route_takes_an_unbounded_int() -> None:
    """Django's <int:…> takes any run of digits, past what a bigint column holds: every id in
    a path is an `<id:…>` (1…2⁶³−1) and every regex id part is bounded."""
    from django.urls.converters import IntConverter

    from servicekontor.core.url_converters import IdConverter

    unbounded = [
        route
        for route, converters in _id_routes()
        if any(isinstance(c, IntConverter) for c in converters.values())
        or "[0-9]+" in route
        or r"\d+" in route
    ]
    assert unbounded == []
    assert any(
        isinstance(c, IdConverter)
        for _route, converters in _id_routes()
        for c in converters.values()
    )


@pytest.mark.parametrize("value", [2**63, 2**64, 10**30, 0])
def test_url_ids__past_bigint_or_zero__404_on_every_route(client, db, value) -> None:
    import re

    from servicekontor.core.url_converters import IdConverter

    checked = 0
    for route, converters in _id_routes():
        ids = [name for name, c in converters.items() if isinstance(c, IdConverter)]
        if not ids:
            continue

        def part(match: re.Match[str], ids: list[str] = ids) -> str:
            return str(value) if match[2] in ids else "kista"

        path = re.sub(r"<(?:(\w+):)?(\w+)>", part, route)
        for method in ("get", "post"):
            answer = getattr(client, method)(path)
            assert answer.status_code == 404, (method, path, answer.status_code)
        checked += 1
    assert checked >= 10
