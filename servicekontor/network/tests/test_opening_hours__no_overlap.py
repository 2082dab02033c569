"""Weekly hours of one weekday in a period may not overlap; two periods may not start together."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from servicekontor.network.models import OpeningHoursPeriod
from servicekontor.network.opening_hours import WeeklyRule, overlapping_rules
from servicekontor.network.tests.admin_forms import form_data, log_in_network_admin, shows
from tests.factories import make_office

OVERLAP = "Some hours overlap; see the rows marked below."


def rule(weekday: int, opens: int, closes: int) -> WeeklyRule:
    return WeeklyRule(weekday, dt.time(opens), dt.time(closes))


@pytest.mark.parametrize(
    ("rules", "overlaps"),
    [
        ([rule(0, 10, 12), rule(0, 13, 16)], 0),  # lunch break
        ([rule(0, 10, 12), rule(0, 12, 16)], 0),  # touching
        ([rule(0, 10, 16), rule(1, 10, 16)], 0),  # other weekday
        ([rule(0, 10, 16), rule(0, 12, 14)], 1),  # inside
        ([rule(0, 12, 16), rule(0, 10, 13)], 1),  # order given does not matter
        ([rule(0, 10, 16), rule(0, 11, 12), rule(0, 13, 14)], 2),  # both inside the first
    ],
)
def test_overlapping_rules(rules: list[WeeklyRule], overlaps: int) -> None:
    assert len(overlapping_rules(rules)) == overlaps


@pytest.fixture
def period(db) -> OpeningHoursPeriod:
    return make_office(code="kiruna", hours=True).opening_periods.get()


def _post_hours(client: Client, period: OpeningHoursPeriod, rows: list[tuple[str, str, str]]):
    """Replace the period's hours with `rows` (weekday, opens, closes) through the admin."""
    log_in_network_admin(client)
    url = reverse("admin:network_openinghoursperiod_change", args=[period.pk])
    data = form_data(client.get(url).content.decode())
    saved = int(data["hours-TOTAL_FORMS"])
    for i in range(saved):
        data[f"hours-{i}-DELETE"] = "on"
    for i, (weekday, opens, closes) in enumerate(rows, start=saved):
        data.update({f"hours-{i}-weekday": weekday, f"hours-{i}-opens": opens})
        data[f"hours-{i}-closes"] = closes
    data["hours-TOTAL_FORMS"] = str(saved + len(rows))
    return client.post(url, data)


def _monday(period: OpeningHoursPeriod) -> list[tuple[dt.time, dt.time]]:
    return [(h.opens, h.closes) for h in period.hours.filter(weekday=0).order_by("opens")]


def test_admin__overlapping_hours_on_a_weekday__form_error_nothing_saved(client, period) -> None:
    response = _post_hours(client, period, [("0", "10:00", "16:00"), ("0", "12:00", "14:00")])
    assert response.status_code == 200
    assert shows(response, OVERLAP)
    assert _monday(period) == [(dt.time(10), dt.time(16))]  # unchanged
    assert period.hours.count() == 5


def test_admin__lunch_break_in_one_save__saved(client, period) -> None:
    response = _post_hours(client, period, [("0", "10:00", "12:00"), ("0", "12:00", "16:00")])
    assert response.status_code == 302
    assert _monday(period) == [(dt.time(10), dt.time(12)), (dt.time(12), dt.time(16))]


def test_admin__same_hours_twice__form_error(client, period) -> None:
    response = _post_hours(client, period, [("1", "10:00", "16:00"), ("1", "10:00", "16:00")])
    assert response.status_code == 200
    assert shows(response, OVERLAP)


def test_period__same_first_day_as_another__validation_error(period) -> None:
    twin = OpeningHoursPeriod(office=period.office, valid_from=period.valid_from, name="Twin")
    with pytest.raises(ValidationError) as error:
        twin.full_clean()
    assert "valid_from" in error.value.message_dict
    OpeningHoursPeriod(
        office=period.office, valid_from=dt.date(2030, 6, 15), name="Summer"
    ).full_clean()
