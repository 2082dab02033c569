"""One concept, one name, one number (walk F10–F13, F16, F17, F19, 2 Dec 2026).

A served visit (one citizen's visit, served once whatever its agencies) and a served visit per
agency (one agency's part of it: a visit with errands for two agencies is one of each) never
share a label, and every place that counts one of them for the same office and period gives
the same number: the office page, its CSV and Excel, the figures API, and the cost
settlement's quantities."""

import datetime as dt
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from servicekontor.core.clock import STOCKHOLM
from servicekontor.costs import services as costs
from servicekontor.costs.exports import lines_table
from servicekontor.costs.models import Category, CostPool, DriverChoice, SettlementLine
from servicekontor.costs.queries import agency_report
from servicekontor.queueing.errands import ErrandPart
from servicekontor.reports.services import create_api_token
from servicekontor.reports.tests.conftest import serve
from tests.csv_files import read_csv

NOVEMBER = {"from": "2026-11-01", "to": "2026-11-30"}
DECEMBER_FIRST = dt.datetime(2026, 12, 1, 0, 5, tzinfo=STOCKHOLM)


@pytest.fixture
def two_agency_world(world, clock_at, people):
    """At `office`: one Skatteverket visit, one Försäkringskassan visit and one visit with
    errands for both: 3 served visits, 4 served visits per agency (2 + 2)."""
    serve(world, clock_at, officer=world.alice, service=world.tax)
    serve(world, clock_at, officer=world.alice, service=world.parental)
    serve(
        world,
        clock_at,
        officer=world.alice,
        service=world.tax,
        split=[
            ErrandPart(service=world.tax, outcome="resolved", weight=1),
            ErrandPart(service=world.parental, outcome="resolved", weight=1),
        ],
    )
    return world


def _api(client, user, **params):
    token = create_api_token(user=user, name="BI")
    response = client.get(
        reverse("statistics-figures"), {**NOVEMBER, **params}, HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 200
    page = response.json()  # every API list is paged (decision 0097)
    assert page["next"] is None
    return page["results"]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["sv", "en"])
def test_served_visits__page_files_api_and_cost_settlement_agree(
    client, two_agency_world, clock_at, people, language
):
    w = two_agency_world
    client.force_login(people.manager)
    with translation.override(language):
        page = client.get(reverse("reports:office", args=[w.office.code]), NOVEMBER)
        csv_response = client.get(reverse("reports:office_csv", args=[w.office.code]), NOVEMBER)
        xlsx = client.get(reverse("reports:office_xlsx", args=[w.office.code]), NOVEMBER)
        served_label = str(translation.gettext("Served visits"))
        per_agency_label = str(DriverChoice.VISITS.label)
    # two names, never one for both (the cost key is named as the statistics' figure)
    assert served_label != per_agency_label
    assert per_agency_label == (
        "Betjänade besök per myndighet" if language == "sv" else "Served visits per agency"
    )
    board = page.context["board"].weeks
    assert (board.total.served, board.total.errand_visits) == (3, 4)
    html = page.content.decode()
    assert f'<th scope="row">{served_label}</th><td>3</td>' in html
    assert f'<th scope="col">{per_agency_label}</th>' in html
    rows = read_csv(csv_response.content, language=language)
    header, total = rows[0], rows[-1]
    assert header.count(served_label) == 1 and header.count(per_agency_label) == 1
    once, per_agency = header.index(served_label), header.index(per_agency_label)
    # the file's total row: the page's served visits, and the sum of the agency rows
    assert int(total[once]) == 3 == sum(int(r[once]) for r in rows[1:-1])
    assert int(total[per_agency]) == 4 == sum(int(r[per_agency]) for r in rows[1:-1])
    sheet = list(load_workbook(BytesIO(xlsx.content)).worksheets[0].iter_rows(values_only=True))
    assert list(sheet[0]) == header
    assert (sheet[-1][once], sheet[-1][per_agency]) == (3, 4)
    # the figures API: the office's served visits and its agencies' served visits
    [office] = _api(client, people.admin, office=w.office.code)
    assert (office["finished_visits"], office["served_visits"]) == (3, 4)
    by_agency = _api(client, people.admin, office=w.office.code, by="agency")
    assert sum(r["finished_visits"] for r in by_agency) == 3
    assert sum(r["served_visits"] for r in by_agency) == 4
    # the cost settlement's quantity "served visits per agency" at the office: the same 4
    CostPool.objects.create(
        month=dt.date(2026, 11, 1),
        office=w.office,
        category=Category.IT,
        amount_ore=100_000,
        driver=DriverChoice.VISITS,
    )
    clock_at.move_to(DECEMBER_FIRST)
    costs.settle_month(month=dt.date(2026, 11, 1), by=people.admin)
    quantities = {
        ln.agency_id: (ln.quantity, ln.basis_quantity) for ln in SettlementLine.objects.all()
    }
    assert quantities == {w.skatteverket.pk: (2, 4), w.fk.pk: (2, 4)}
    assert quantities[w.skatteverket.pk] == (
        next(r["served_visits"] for r in by_agency if r["group"]["agency"] == w.skatteverket.code),
        total_per_agency := int(total[per_agency]),
    )
    assert total_per_agency == 4


@pytest.mark.django_db
def test_cost_lines__the_quantity_says_its_unit(two_agency_world, clock_at, people):
    """Walk F16: the lines' driver "Handled minutes" beside a quantity of 2 334 899 seconds."""
    w = two_agency_world
    CostPool.objects.create(
        month=dt.date(2026, 11, 1), office=w.office, category=Category.STAFF, amount_ore=100_000
    )
    clock_at.move_to(DECEMBER_FIRST)
    costs.settle_month(month=dt.date(2026, 11, 1), by=people.admin)
    with translation.override("en"):
        report = agency_report(
            start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 1), agency_ids=None
        )
        header, rows = lines_table(report)
    unit = header.index("Unit of quantity")
    assert header[unit - 1] == "Driver" and header[unit + 1] == "Quantity"
    assert {(r[unit - 1], r[unit]) for r in rows[:-1]} == {("Handled minutes", "seconds")}
    assert (
        sum(int(r[unit + 1] or 0) for r in rows[:-1]) == rows[0][unit + 2]
    )  # seconds of the office


@pytest.mark.django_db
def test_figures_api__the_monthly_reports_names_and_units(client, served_world, people):
    """Walk F16: the figures API gave `mean_wait_seconds`, `service_level` 0…1 and no
    `visits_reached_otherwise` where the month's report gives `mean_wait_minutes`,
    `service_level_percent`; one unit per concept now, the report's."""
    code = served_world.skatteverket.code
    [row] = _api(client, people.tax_analyst, agency=code)
    token = create_api_token(user=people.tax_analyst, name="report")
    report = client.get(
        reverse("statistics-agency-report", args=[code, "2026-11"]),
        HTTP_AUTHORIZATION=f"Bearer {token}",
    ).json()
    total = report["total"]
    common = set(total) - {"served_visits_last_year"}
    assert common <= set(row)
    assert {k: row[k] for k in common} == {k: total[k] for k in common}
    for gone in ("mean_wait_seconds", "service_level", "mean_service_seconds", "handled_seconds"):
        assert gone not in row
    assert (
        row["visits"]
        == row["visits_walk_in"] + row["visits_booked"] + row["visits_reached_otherwise"]
    )


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["sv", "en"])
def test_office_page__default_period_from_the_first_figures_and_each_note_once(
    client, served_world, people, language
):
    """Walk F12: the default 12 weeks began 7 weeks before any figure, and the note "Part of
    the period only …" was printed twice (the period form includes it, the page did too)."""
    client.force_login(people.manager)
    with translation.override(language):
        url = reverse("reports:office", args=[served_world.office.code])
        default = client.get(url)
        chosen = client.get(url, NOVEMBER)
    board = default.context["board"].weeks
    assert board.start == dt.date(2026, 11, 25)  # the world's first recorded day, today
    body = chosen.content.decode()
    part = "Bara en del av perioden" if language == "sv" else "Part of the period only"
    assert body.count(part) == 1
    # a period ending today says its figures are today's so far, once
    so_far = "up to and including today" if language == "en" else "t.o.m. i dag"
    assert default.content.decode().count(so_far) == 1
    # no "a year earlier" column of dashes when nothing was recorded a year earlier
    assert default.context["board"].weeks.total_last_year is None
    caption = "Perioden" if language == "sv" else "The period"
    head = body.split(f"<caption>{caption}</caption>")[1].split("</thead>")[0]
    assert ("Ett år tidigare" if language == "sv" else "A year earlier") not in head


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "last_30", "calendar"),
    [
        ("sv", "De senaste 30 dagarna", "Månadsrapport, kalendermånaden oktober 2026"),
        ("en", "The last 30 days", "Monthly report, the calendar month October 2026"),
    ],
)
def test_agency_page__the_last_30_days_and_the_calendar_month_named(
    client, served_world, people, language, last_30, calendar
):
    """Walk F19: "3 November – 2 December" beside "Monthly report 2026-11": two different
    latest figures, neither saying which it is."""
    client.force_login(people.tax_analyst)
    with translation.override(language):
        body = client.get(
            reverse("reports:agency", args=[served_world.skatteverket.code])
        ).content.decode()
    assert last_30 in body and calendar in body


@pytest.mark.django_db
def test_today_by_agency__a_transferred_visits_wait_is_the_first_agencys_as_live(
    client, world, clock_at, people
):
    """Walk F11: after a transfer (Skatteverket → Försäkringskassan) the wait stood on the
    row of the agency that did not serve, the mean read 25.0 and the median 24 for one visit,
    and nothing said why. The wait is the first agency's — the one the citizen waited for —
    in the rollups, in today's table and in the live view alike, and the page says how the
    median is rounded."""
    from servicekontor.core import clock
    from servicekontor.queueing import queries
    from servicekontor.queueing import services as queue

    start_of_day = clock.now()
    visit = queue.issue_ticket(office=world.office, service=world.tax)
    clock_at.shift(dt.timedelta(minutes=24, seconds=59))
    queue.call_next(officer=world.alice)
    queue.start_service(officer=world.alice, visit_id=visit.pk)
    queue.transfer_visit(officer=world.alice, visit_id=visit.pk, service=world.parental)
    queue.call_visit(officer=world.alice, visit_id=visit.pk)
    queue.start_service(officer=world.alice, visit_id=visit.pk)
    queue.finish_visit(officer=world.alice, visit_id=visit.pk, outcome="resolved")
    client.force_login(people.manager)
    with translation.override("en"):
        page = client.get(reverse("reports:office", args=[world.office.code]))
        tax_name, fk_name = world.skatteverket.name, world.fk.name
    board = page.context["board"]
    rows = {name: now for name, now, _before in board.today_by_agency}
    tax, fk = rows[tax_name], rows[fk_name]
    assert (tax.called, tax.wait_seconds, tax.errand_visits) == (1, 1499, 0)
    assert (fk.called, fk.errand_visits) == (0, 1)
    live = queries.average_wait_minutes(office=world.office, since=start_of_day)
    assert live == 25.0 and board.today.mean_wait_seconds == 1499
    assert board.today.wait_median_minutes == 24  # whole minutes, rounded down
    body = page.content.decode()
    assert "the agency the citizen first waited for" in body
    assert "the bin 24–25 holds the waits from 24 min 0 s to 24 min 59 s" in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "mean", "median_label", "note"),
    [
        ("en", "25.0", "Median wait (min, whole-minute bin)", "Mean wait: the mean of the exact"),
        ("sv", "25,0", "Medianväntetid (min, helminutsintervall)", "Medelväntetid: medelvärdet"),
    ],
)
def test_office_page__median_shown_as_its_whole_minute_bin_beside_the_mean(
    client, world, clock_at, people, language, mean, median_label, note
):
    """Walk F11 (session 18): one visit waited 24 min 59 s; the page read "Mean wait 25.0"
    and "Median 24", taken for a median below the mean (or for the mean). The median and
    the 90th percentile are shown as the whole-minute bin they come from, "24–25", each on
    its own labelled row, and a note beside the table states the bin rule."""
    from servicekontor.queueing import services as queue

    visit = queue.issue_ticket(office=world.office, service=world.tax)
    clock_at.shift(dt.timedelta(minutes=24, seconds=59))
    queue.call_next(officer=world.alice)
    queue.start_service(officer=world.alice, visit_id=visit.pk)
    queue.finish_visit(officer=world.alice, visit_id=visit.pk, outcome="resolved")
    client.force_login(people.manager)
    with translation.override(language):
        body = client.get(reverse("reports:office", args=[world.office.code])).content.decode()
    assert f"<td>{mean}</td>" in body
    assert f'<th scope="row">{median_label}</th><td>24–25</td>' in body
    assert "<td>24–25</td>" in body.split('id="wait-bins"')[0]
    assert 'id="wait-bins"' in body and note in body
    assert "<td>24</td>" not in body  # no bare rounded-down minute beside the mean
