"""Errands: every finished visit has at least one, and their seconds are the serving time."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicekontor.queueing import services
from servicekontor.queueing.errands import ErrandPart
from servicekontor.queueing.errors import InvalidTransition, NotOffered
from servicekontor.queueing.intervals import split_seconds
from servicekontor.queueing.models import Errand


def _serving(world, clock_at, service=None):
    visit = services.issue_ticket(office=world.office, service=service or world.tax)
    clock_at.shift(dt.timedelta(minutes=5))
    services.call_next(officer=world.alice)
    clock_at.shift(dt.timedelta(seconds=30))
    return services.start_service(officer=world.alice, visit_id=visit.pk)


def test_errand__finish_visit__single_service_gets_one_errand(world, clock_at):
    visit = _serving(world, clock_at)
    clock_at.shift(dt.timedelta(minutes=7, seconds=12))

    services.finish_visit(officer=world.alice, visit_id=visit.pk, outcome="resolved")

    (errand,) = Errand.objects.filter(visit=visit)
    assert (errand.service_id, errand.outcome, errand.service_seconds) == (
        world.tax.pk,
        "resolved",
        432,
    )
    assert errand.position == 1 and errand.first_for_agency


def test_errand__record_errand__time_goes_to_each_errand(world, clock_at):
    visit = _serving(world, clock_at)
    clock_at.shift(dt.timedelta(minutes=4))
    services.record_errand(
        officer=world.alice,
        visit_id=visit.pk,
        service=world.tax,
        outcome="e_service",
        interpreter_used=True,
        interpreter_language="AR",
    )
    clock_at.shift(dt.timedelta(minutes=6))

    services.finish_visit(
        officer=world.alice,
        visit_id=visit.pk,
        outcome="documents_forwarded",
        split=[ErrandPart(service=world.parental, outcome="documents_forwarded")],
    )

    rows = list(
        Errand.objects.filter(visit=visit).values_list(
            "service_id", "service_seconds", "interpreter_language", "first_for_agency"
        )
    )
    assert rows == [(world.tax.pk, 240, "ar", True), (world.parental.pk, 360, "", True)]


def test_errand__finish_visit__split_by_weights_is_exact(world, clock_at):
    visit = _serving(world, clock_at)
    clock_at.shift(dt.timedelta(seconds=100))

    services.finish_visit(
        officer=world.alice,
        visit_id=visit.pk,
        outcome="resolved",
        split=[
            ErrandPart(service=world.tax, outcome="resolved", weight=1),
            ErrandPart(service=world.tax, outcome="e_service", weight=2),
        ],
    )

    rows = list(
        Errand.objects.filter(visit=visit).values_list("service_seconds", "first_for_agency")
    )
    assert rows == [(33, True), (67, False)]


def test_errand__transfer_visit__served_part_counts_for_the_old_agency(world, clock_at):
    visit = _serving(world, clock_at)
    clock_at.shift(dt.timedelta(minutes=3))
    services.transfer_visit(officer=world.alice, visit_id=visit.pk, service=world.parental)
    clock_at.shift(dt.timedelta(minutes=2))
    services.call_next(officer=world.alice)
    services.start_service(officer=world.alice, visit_id=visit.pk)
    clock_at.shift(dt.timedelta(minutes=5))
    services.finish_visit(officer=world.alice, visit_id=visit.pk, outcome="resolved")

    rows = list(
        Errand.objects.filter(visit=visit).values_list("service_id", "outcome", "service_seconds")
    )
    assert rows == [(world.tax.pk, "transferred", 180), (world.parental.pk, "resolved", 300)]


def test_errand__hold__parked_time_is_not_service_time(world, clock_at):
    visit = _serving(world, clock_at)
    clock_at.shift(dt.timedelta(minutes=2))
    services.hold_visit(officer=world.alice, visit_id=visit.pk)
    clock_at.shift(dt.timedelta(minutes=10))
    services.call_visit(officer=world.alice, visit_id=visit.pk)
    services.start_service(officer=world.alice, visit_id=visit.pk)
    clock_at.shift(dt.timedelta(minutes=1))
    services.finish_visit(officer=world.alice, visit_id=visit.pk, outcome="resolved")

    assert Errand.objects.get(visit=visit).service_seconds == 180


def test_errand__record_errand__not_serving_is_409(world, clock_at):
    visit = services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)

    with pytest.raises(InvalidTransition):
        services.record_errand(
            officer=world.alice, visit_id=visit.pk, service=world.tax, outcome="resolved"
        )
    assert not Errand.objects.exists()


@pytest.mark.parametrize(("used", "language"), [(False, "ar"), (True, "arabic"), (True, "1x")])
def test_errand__finish_visit__bad_language_is_400_and_nothing_written(
    world, clock_at, used, language
):
    visit = _serving(world, clock_at)

    with pytest.raises(NotOffered):
        services.finish_visit(
            officer=world.alice,
            visit_id=visit.pk,
            outcome="resolved",
            interpreter_used=used,
            interpreter_language=language,
        )
    visit.refresh_from_db()
    assert visit.state == "serving"
    assert not Errand.objects.exists()


@given(
    total=st.integers(min_value=0, max_value=100_000),
    weights=st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=8).filter(
        lambda w: sum(w) > 0
    ),
)
def test_split_seconds__sums_exactly_and_each_within_one_second(total, weights):
    parts = split_seconds(total, weights)

    assert sum(parts) == total
    for part, weight in zip(parts, weights, strict=True):
        assert abs(part - total * weight / sum(weights)) < 1
