"""Moving a go-live date is one edit: the 2018 move of the takeover from 2019-01-01 to 06-01."""

import datetime as dt

import pytest

from servicekontor.network.models import Milestone, Offering, Office
from servicekontor.network.queries import offerings_on, offices_operating_on
from servicekontor.network.services import move_milestone
from tests.factories import make_office, make_service

pytestmark = pytest.mark.django_db


def test_move_milestone__takeover_moved__offices_and_offerings_follow() -> None:
    takeover = Milestone.objects.create(
        code="takeover", name_sv="Takeover", date=dt.date(2019, 1, 1)
    )
    office = make_office(opened_on=dt.date(2019, 1, 1))
    Office.objects.filter(pk=office.pk).update(opened_with=takeover)
    service = make_service()
    Offering.objects.create(
        office=office, service=service, valid_from=dt.date(2019, 1, 1), starts_with=takeover
    )

    moved = move_milestone(milestone=takeover, new_date=dt.date(2019, 6, 1))

    assert moved == 2
    office.refresh_from_db()
    assert office.opened_on == dt.date(2019, 6, 1)
    assert office not in offices_operating_on(day=dt.date(2019, 5, 31))
    assert not offerings_on(office=office, day=dt.date(2019, 5, 31)).exists()
    assert offerings_on(office=office, day=dt.date(2019, 6, 1)).exists()


def test_move_milestone__consecutive_offerings__move_together_without_overlap() -> None:
    change = Milestone.objects.create(code="change", name_sv="Change", date=dt.date(2023, 1, 1))
    office, service = make_office(), make_service()
    # The same service ends with the milestone and starts again with it (a new agreement).
    Offering.objects.create(
        office=office, service=service, valid_from=dt.date(2019, 6, 1),
        valid_to=dt.date(2022, 12, 31), ends_with=change,
    )  # fmt: skip
    Offering.objects.create(
        office=office, service=service, valid_from=dt.date(2023, 1, 1), starts_with=change
    )

    move_milestone(milestone=change, new_date=dt.date(2022, 9, 1))
    assert offerings_on(office=office, day=dt.date(2022, 8, 31)).get().valid_to == dt.date(
        2022, 8, 31
    )
    assert offerings_on(office=office, day=dt.date(2022, 9, 1)).get().starts_with == change

    move_milestone(milestone=change, new_date=dt.date(2023, 3, 1))
    assert offerings_on(office=office, day=dt.date(2023, 2, 28)).get().valid_to == dt.date(
        2023, 2, 28
    )
    assert Milestone.objects.get(pk=change.pk).date == dt.date(2023, 3, 1)
