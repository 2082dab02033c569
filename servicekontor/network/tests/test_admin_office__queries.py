"""The office's admin page reads a fixed number of queries, however long its history."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from servicekontor.core import clock
from servicekontor.network.models import (
    ExceptionKind,
    Milestone,
    OpeningException,
    OpeningHoursPeriod,
)
from servicekontor.network.tests.admin_forms import log_in_network_admin
from tests.factories import (
    make_agency,
    make_capability,
    make_offering,
    make_office,
    make_service,
)

pytestmark = pytest.mark.django_db

MAX_QUERIES = 14  # 12 today: session, user, permissions, office, each inline and its choices


def office_with(rows: int):
    """An office with `rows` of everything: offerings (with milestones), counters with
    capabilities, opening hours periods and coming exceptions."""
    office = make_office(counters=rows)
    agency = make_agency()
    capabilities = [make_capability() for _ in range(3)]
    takeover, _ = Milestone.objects.get_or_create(
        code="takeover", defaults={"name_sv": "Takeover", "date": dt.date(2019, 6, 1)}
    )
    review, _ = Milestone.objects.get_or_create(
        code="review", defaults={"name_sv": "Review", "date": dt.date(2030, 1, 2)}
    )
    for _row in range(rows):
        offering = make_offering(office=office, service=make_service(agency=agency))
        offering.starts_with, offering.ends_with = takeover, review
        offering.valid_to = dt.date(2030, 1, 1)
        offering.save()
    for point in office.service_points.all():
        point.capabilities.set(capabilities)
    today = clock.local_today()
    for i in range(rows):
        OpeningHoursPeriod.objects.create(office=office, valid_from=dt.date(2020 + i, 6, 1))
        OpeningException.objects.create(
            office=office, date=today + dt.timedelta(days=i + 1), kind=ExceptionKind.CLOSED
        )
    return office


def _queries(client: Client, office) -> int:
    url = reverse("admin:network_office_change", args=[office.pk])
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_office_admin__change_page__bounded_queries(
    client: Client, django_assert_max_num_queries
) -> None:
    office = office_with(rows=12)
    log_in_network_admin(client)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(reverse("admin:network_office_change", args=[office.pk]))
    assert response.status_code == 200
    assert "Takeover" in response.content.decode()  # the milestone label, without a query


def test_office_admin__change_page__queries_do_not_grow_with_rows(client: Client) -> None:
    log_in_network_admin(client)
    assert _queries(client, office_with(rows=2)) == _queries(client, office_with(rows=10))
