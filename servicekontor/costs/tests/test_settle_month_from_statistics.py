"""Settling with the statistics' own usage (reports.queries.agency_usage), end to end:
visits served at the desk → rollups → settlement lines. The costs app counts nothing itself."""

import datetime as dt

import pytest

from servicekontor.core.clock import STOCKHOLM
from servicekontor.costs import services
from servicekontor.costs.models import Category, CostPool, SettlementLine, SettlementUsage
from servicekontor.queueing import services as queue
from servicekontor.queueing.tests import conftest as queue_fixtures
from tests.factories import make_user

clock_at = queue_fixtures.clock_at
world = queue_fixtures.world

NOVEMBER = dt.date(2026, 11, 1)  # the queue world's frozen Wednesday is 2026-11-25
# A month can be settled once it is over (services.check_settleable): just after midnight.
DECEMBER_FIRST = dt.datetime(2026, 12, 1, 0, 5, tzinfo=STOCKHOLM)


def _serve(world, clock_at, service, minutes, split=()):
    visit = queue.issue_ticket(office=world.office, service=service)
    queue.call_next(officer=world.alice)
    queue.start_service(officer=world.alice, visit_id=visit.pk)
    clock_at.shift(dt.timedelta(minutes=minutes))
    queue.finish_visit(officer=world.alice, visit_id=visit.pk, outcome="resolved", split=split)


@pytest.mark.django_db
def test_settle_month__reads_usage_from_the_statistics(world, clock_at):
    _serve(world, clock_at, world.tax, 10)
    _serve(world, clock_at, world.parental, 5)
    CostPool.objects.create(
        month=NOVEMBER, office=world.office, category=Category.STAFF, amount_ore=100_000
    )
    admin = make_user(role="network_admin")

    clock_at.move_to(DECEMBER_FIRST)
    settlement = services.settle_month(month=NOVEMBER, by=admin)

    frozen = {
        u.agency_id: (u.visits, u.handled_seconds)
        for u in SettlementUsage.objects.filter(settlement=settlement)
    }
    assert frozen == {world.skatteverket.pk: (1, 600), world.fk.pk: (1, 300)}
    lines = {ln.agency_id: ln.amount_ore for ln in SettlementLine.objects.all()}
    # 1 000,00 kr by 600 : 300 seconds → 666,666… and 333,333… kr: the öre left goes to the
    # larger remainder (Skatteverket's ,67).
    assert lines == {world.skatteverket.pk: 66_667, world.fk.pk: 33_333}


@pytest.mark.django_db
def test_record_hours_from_desk_log__desk_time_times_factor_then_priced(world, clock_at):
    from decimal import Decimal

    from servicekontor.costs.models import HourlyRate, StaffHours
    from servicekontor.reports.queries import occupancy
    from servicekontor.reports.scope import EVERYTHING

    _serve(world, clock_at, world.tax, 30)
    clock_at.shift(dt.timedelta(minutes=90))
    signed_in = occupancy(scope=EVERYTHING, start=NOVEMBER, end=dt.date(2026, 11, 30))
    seconds = signed_in[(world.office.pk,)].signed_in_seconds
    assert seconds >= 2 * 3600  # alice has been at her desk since before the first visit

    [row] = services.record_hours_from_desk_log(
        month=NOVEMBER, paid_hours_per_desk_hour=Decimal("1.25")
    )
    expected = (Decimal(seconds) / 3600 * Decimal("1.25")).quantize(Decimal("0.01"))
    assert (row.office_id, row.role, row.hours) == (world.office.pk, "service_officer", expected)
    HourlyRate.objects.create(
        role="service_officer", valid_from=dt.date(2026, 1, 1), ore_per_hour=40_000
    )
    [pool] = services.derive_staff_pools(month=NOVEMBER)
    assert pool.amount_ore == int((expected * 40_000).quantize(Decimal(1)))
    assert StaffHours.objects.count() == 1


@pytest.mark.django_db
def test_report__per_service_splits_each_office_cost_by_handled_time(world, clock_at):
    from servicekontor.costs.queries import agency_report
    from servicekontor.queueing.errands import ErrandPart

    _serve(
        world,
        clock_at,
        world.tax,
        30,
        split=[
            ErrandPart(service=world.tax, outcome="resolved", weight=1),
            ErrandPart(service=world.id_card, outcome="resolved", weight=2),
        ],
    )
    _serve(world, clock_at, world.parental, 5)
    CostPool.objects.create(
        month=NOVEMBER, office=world.office, category=Category.STAFF, amount_ore=100_001
    )
    clock_at.move_to(DECEMBER_FIRST)
    services.settle_month(month=NOVEMBER, by=None)

    report = agency_report(start=NOVEMBER, end=NOVEMBER, agency_ids={world.skatteverket.pk})
    by_service = {r.service_id: (r.cost_ore, r.errands, r.handled_seconds) for r in report.services}
    # Skatteverket: 1 800 of 2 100 s → 85 715,14… öre → 85 715; then 600 : 1 200 s of it.
    assert by_service == {
        world.tax.pk: (28_572, 1, 600),
        world.id_card.pk: (57_143, 1, 1200),
    }
    assert sum(c for c, _, _ in by_service.values()) == report.total_ore == 85_715


@pytest.mark.django_db
def test_api_and_csv__per_service_scoped_to_the_analyst(world, clock_at, client):
    _serve(world, clock_at, world.tax, 10)
    _serve(world, clock_at, world.parental, 5)
    CostPool.objects.create(
        month=NOVEMBER, office=world.office, category=Category.STAFF, amount_ore=90_000
    )
    clock_at.move_to(DECEMBER_FIRST)
    services.settle_month(month=NOVEMBER, by=None)
    analyst = make_user(role="agency_analyst", analyst_agency=world.fk)
    client.force_login(analyst)
    rows = client.get("/api/costs/services/?year=2026&month=11").json()["results"]
    assert rows == [
        {
            "agency": world.fk.code,
            "service": world.parental.code,
            "cost_ore": 30_000,
            "errands": 1,
            "handled_seconds": 300,
        }
    ]
    text = client.get("/costs/report/?year=2026&format=csv&table=services").content.decode()
    assert world.parental.name_sv in text
    assert world.tax.name_sv not in text
