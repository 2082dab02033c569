"""Dated offerings: boundaries, overlaps rejected by the database, history kept."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from servicekontor.network.models import Offering
from servicekontor.network.queries import offerings_on, offices_offering
from servicekontor.network.services import add_offering, end_offering
from tests.factories import make_offering, make_office, make_service

pytestmark = pytest.mark.django_db

D = dt.date


def test_add_offering__valid__offered_from_first_to_last_day_inclusive() -> None:
    office, service = make_office(), make_service()
    add_offering(office=office, service=service, valid_from=D(2022, 1, 1), valid_to=D(2022, 12, 31))
    assert not offerings_on(office=office, day=D(2021, 12, 31)).exists()
    assert offerings_on(office=office, day=D(2022, 1, 1)).exists()
    assert offerings_on(office=office, day=D(2022, 12, 31)).exists()
    assert not offerings_on(office=office, day=D(2023, 1, 1)).exists()
    assert list(offices_offering(service=service, day=D(2022, 6, 1))) == [office]
    assert list(offices_offering(service=service, day=D(2023, 6, 1))) == []


def test_add_offering__overlapping__rejected_and_nothing_written() -> None:
    office, service = make_office(), make_service()
    add_offering(office=office, service=service, valid_from=D(2022, 1, 1))
    with pytest.raises(ValidationError):
        add_offering(office=office, service=service, valid_from=D(2024, 1, 1))
    assert Offering.objects.count() == 1


@pytest.mark.parametrize(
    ("first", "second", "overlaps"),
    [
        ((D(2022, 1, 1), D(2022, 6, 30)), (D(2022, 7, 1), None), False),
        ((D(2022, 1, 1), D(2022, 6, 30)), (D(2022, 6, 30), None), True),
        ((D(2022, 1, 1), None), (D(2021, 1, 1), D(2021, 12, 31)), False),
        ((D(2022, 1, 1), None), (D(2021, 1, 1), D(2022, 1, 1)), True),
        ((D(2022, 3, 1), D(2022, 3, 31)), (D(2022, 1, 1), D(2022, 12, 31)), True),
    ],
)
def test_offering__database_rejects_overlap_even_bypassing_services(
    first: tuple[dt.date, dt.date | None], second: tuple[dt.date, dt.date | None], overlaps: bool
) -> None:
    office, service = make_office(opened_on=D(2019, 6, 1)), make_service()
    make_offering(office=office, service=service, valid_from=first[0], valid_to=first[1])
    row = Offering(office=office, service=service, valid_from=second[0], valid_to=second[1])
    if overlaps:
        with pytest.raises(IntegrityError), transaction.atomic():
            row.save()
    else:
        row.save()


def test_offering__same_period_other_office_or_service__allowed() -> None:
    office, other_office, service, other_service = (
        make_office(),
        make_office(),
        make_service(),
        make_service(),
    )
    make_offering(office=office, service=service)
    make_offering(office=other_office, service=service)
    make_offering(office=office, service=other_service)
    assert Offering.objects.count() == 3


def test_offering__last_day_before_first__rejected_by_database() -> None:
    office, service = make_office(), make_service()
    row = Offering(office=office, service=service, valid_from=D(2022, 1, 2), valid_to=D(2022, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()


def test_add_offering__before_office_opened__rejected() -> None:
    office = make_office(opened_on=D(2022, 1, 1))
    with pytest.raises(ValidationError):
        add_offering(office=office, service=make_service(), valid_from=D(2021, 1, 1))


def test_end_offering__keeps_history__then_new_period_allowed() -> None:
    office, service = make_office(), make_service()
    offering = add_offering(office=office, service=service, valid_from=D(2019, 6, 1))
    end_offering(offering=offering, last_day=D(2023, 12, 31))
    add_offering(office=office, service=service, valid_from=D(2025, 1, 1))
    assert Offering.objects.filter(office=office, service=service).count() == 2
    assert offerings_on(office=office, day=D(2023, 12, 31)).exists()
    assert not offerings_on(office=office, day=D(2024, 6, 1)).exists()
    assert offerings_on(office=office, day=D(2025, 1, 1)).exists()


def test_offerings_on__office_closed_for_good__nothing_even_if_rows_open_ended() -> None:
    office = make_office(opened_on=D(2019, 6, 1), closed_on=D(2025, 7, 1))
    make_offering(office=office, service=make_service())
    assert offerings_on(office=office, day=D(2025, 6, 30)).exists()
    assert not offerings_on(office=office, day=D(2025, 7, 1)).exists()
