"""The capacity arithmetic's registry inputs from the shared cache (`cached_inputs`): read
with both versions in one round trip, and never used under a version they were not built
under (test_book_appointment.py: a saved change is seen at once)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from servicekontor.appointments.capacity_inputs import (
    cached_inputs,
    invalidate_inputs,
    load_inputs,
)
from servicekontor.network import registry_cache
from tests.cache_calls import count_cache_calls
from tests.factories import make_office

pytestmark = pytest.mark.django_db


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    return count_cache_calls(monkeypatch)


def test_cached_inputs__a_hit__one_cache_call_no_statement(office, service, monkeypatch):
    other = make_office(counters=1)
    cached_inputs(offices=[office, other], service=service)
    calls = _counting(monkeypatch)

    with CaptureQueriesContext(connection) as queries:
        found = cached_inputs(offices=[office, other], service=service)

    assert calls == ["get_many"]
    assert len(queries) == 0
    assert found == load_inputs(offices=[office, other], service=service)


@pytest.mark.parametrize("retire", [invalidate_inputs, registry_cache.registry_changed])
def test_cached_inputs__either_version_replaced__loaded_again(office, service, retire):
    cached_inputs(offices=[office], service=service)
    retire()

    with CaptureQueriesContext(connection) as queries:
        found = cached_inputs(offices=[office], service=service)

    assert len(queries) > 0
    assert found == load_inputs(offices=[office], service=service)
    with CaptureQueriesContext(connection) as queries:
        cached_inputs(offices=[office], service=service)
    assert len(queries) == 0


def test_cached_inputs__one_office_missing__only_it_loaded(office, service):
    other = make_office(counters=1)
    cached_inputs(offices=[office], service=service)

    found = cached_inputs(offices=[office, other], service=service)

    assert set(found) == {office.pk, other.pk}
    assert found[other.pk].counters_all == 1
