"""The costs what-if's staff need is the staffing plan's; when, with the change, the target
needs more officers at the desks at once than an office has desks, the page says so instead
of presenting the hours as a plan that can be worked (walk, 1 Dec 2026: a result shown as
valid when its own inputs make it infeasible)."""

import pytest

from servicekontor.costs import queries
from servicekontor.costs.tests.test_what_if_staff import _join, costs_world
from servicekontor.network.models import ServicePoint
from servicekontor.staffing.tests.conftest import clock_at, fast_passwords, history, people, world

__all__ = ["clock_at", "costs_world", "fast_passwords", "history", "people", "world"]
pytestmark = pytest.mark.django_db


def _desks(office, n):
    ServicePoint.objects.filter(office=office).delete()
    ServicePoint.objects.bulk_create(ServicePoint(office=office, number=k) for k in range(1, n + 1))


def test_what_if__more_officers_at_once_than_desks__named_on_the_page(costs_world, people, client):
    w = costs_world
    _desks(w.office, 1)
    client.force_login(people.admin)
    response = client.get("/en/costs/what-if/", _join(w, visits=4000))
    assert response.status_code == 200
    assert response.context["result"].beyond_desks == [w.office]
    assert "than these offices have desks" in response.content.decode()


def test_what_if__enough_desks__no_warning(costs_world, people, client):
    w = costs_world
    _desks(w.office, 60)
    client.force_login(people.admin)
    response = client.get("/en/costs/what-if/", _join(w))
    assert response.context["result"].beyond_desks == []
    assert "than these offices have desks" not in response.content.decode()
    assert isinstance(response.context["result"], queries.WhatIfResult)
