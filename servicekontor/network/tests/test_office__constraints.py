import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from servicekontor.network.models import Office, ServicePoint
from servicekontor.network.queries import offices_operating_on
from tests.factories import make_office

pytestmark = pytest.mark.django_db


def test_office__closed_on_before_opened_on__rejected_by_database() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        make_office(opened_on=dt.date(2022, 1, 1), closed_on=dt.date(2021, 12, 31))
    assert not Office.objects.exists()


def test_office__closed_on_same_day_as_opened__rejected() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        make_office(opened_on=dt.date(2022, 1, 1), closed_on=dt.date(2022, 1, 1))


def test_offices_operating_on__closure_boundary__last_day_in_first_closed_day_out() -> None:
    office = make_office(opened_on=dt.date(2019, 6, 1), closed_on=dt.date(2025, 7, 1))
    assert office not in offices_operating_on(day=dt.date(2019, 5, 31))
    assert office in offices_operating_on(day=dt.date(2019, 6, 1))
    assert office in offices_operating_on(day=dt.date(2025, 6, 30))
    assert office not in offices_operating_on(day=dt.date(2025, 7, 1))


def test_service_point__duplicate_number__rejected() -> None:
    office = make_office(counters=0)
    ServicePoint.objects.create(office=office, number=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServicePoint.objects.create(office=office, number=1)
