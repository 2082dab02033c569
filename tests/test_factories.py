import datetime as dt

import pytest

from servicekontor.accounts.models import Role
from servicekontor.catalog.models import ServiceMode
from servicekontor.network.models import Offering
from tests.factories import (
    make_agency,
    make_capability,
    make_offering,
    make_office,
    make_service,
    make_user,
)

pytestmark = pytest.mark.django_db


def test_factories__agency__unique_codes_and_letters() -> None:
    first, second = make_agency(), make_agency()
    assert first.code != second.code
    assert first.ticket_letter != second.ticket_letter
    assert make_agency(code="skv", letter="S").ticket_letter == "S"


def test_factories__service__defaults_and_overrides() -> None:
    capability = make_capability(code="id-photo")
    service = make_service(
        mode=ServiceMode.APPOINTMENT_ONLY,
        handling_minutes=20,
        requires_identification=True,
        required_capability=capability,
    )
    assert service.agency_id is not None
    assert service.bookable and not service.walk_in_allowed
    assert service.required_capability == capability
    assert make_capability(code="id-photo") == capability


def test_factories__office__hours_and_counters() -> None:
    office = make_office()
    assert office.is_operating_on(dt.date(2019, 6, 1))
    assert not office.is_operating_on(dt.date(2019, 5, 31))
    assert office.service_points.count() == 2
    period = office.opening_periods.get()
    assert period.valid_from == dt.date(2019, 1, 1)
    assert sorted(period.hours.values_list("weekday", flat=True)) == [0, 1, 2, 3, 4]
    assert {(h.opens, h.closes) for h in period.hours.all()} == {(dt.time(10), dt.time(16))}

    bare = make_office(hours=False, counters=0)
    assert not bare.opening_periods.exists()
    assert not bare.service_points.exists()


def test_factories__offering__valid_on() -> None:
    offering = make_offering(
        office=make_office(), service=make_service(), valid_from=dt.date(2020, 1, 1)
    )
    assert list(Offering.objects.valid_on(dt.date(2020, 1, 1))) == [offering]
    assert not Offering.objects.valid_on(dt.date(2019, 12, 31)).exists()


def test_factories__user__assignments_competences_and_analyst() -> None:
    office = make_office()
    agency = make_agency()
    officer = make_user(offices=[office], agencies=[agency], username="alice")
    assert officer.username == "alice"
    assert list(officer.offices.all()) == [office]
    assert list(officer.competences.all()) == [agency]
    assert officer.check_password("test-password-123")

    analyst = make_user(role=Role.AGENCY_ANALYST)
    assert analyst.analyst_agency is not None

    admin = make_user(role=Role.NETWORK_ADMIN)
    assert admin.is_staff
