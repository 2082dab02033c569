"""Several capabilities at one office: a booking is accepted exactly when everyone in
progress can still be given a counter that has what their service needs (Hall's condition)."""

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from scipy.sparse.csgraph import maximum_bipartite_matching

from servicekontor.appointments import capacity, errors, services
from servicekontor.appointments.services import Contact
from servicekontor.appointments.tests.conftest import TUESDAY, allocate, local
from servicekontor.catalog.models import Capability
from servicekontor.network.models import ServicePoint
from tests.factories import make_offering, make_office, make_service

PHOTO, BIOMETRICS = 1, 2


def test_capability_pools__each_set_containing_the_required_capability():
    counters = [{PHOTO}, {PHOTO, BIOMETRICS}, set()]
    assert capacity.capability_pools(counters, PHOTO) == (
        (frozenset({PHOTO}), 2),
        (frozenset({PHOTO, BIOMETRICS}), 2),
    )
    assert capacity.capability_pools(counters, BIOMETRICS) == (
        (frozenset({BIOMETRICS}), 1),
        (frozenset({BIOMETRICS, PHOTO}), 2),
    )
    assert capacity.capability_pools(counters, None) == ()
    assert capacity.capability_pools([set(), set()], PHOTO) == ((frozenset({PHOTO}), 0),)


def _seatable(counters: list[set[int]], needs: list[int | None]) -> bool:
    """Brute truth: a matching gives every booking its own counter with what it needs."""
    if not needs:
        return True
    rows, cols = [], []
    for b, need in enumerate(needs):
        for c, kit in enumerate(counters):
            if need is None or need in kit:
                rows.append(b)
                cols.append(c)
    graph = sparse.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(needs), max(1, len(counters)))
    )
    return bool((maximum_bipartite_matching(graph, perm_type="column") >= 0).all())


kits = st.sets(st.sampled_from([1, 2, 3]), max_size=3)
needs = st.one_of(st.none(), st.sampled_from([1, 2, 3]))


@settings(max_examples=300, deadline=None)
@given(st.lists(kits, min_size=1, max_size=5), st.lists(needs, max_size=6), needs)
def test_has_room__exactly_when_everyone_can_be_seated(counters, booked_needs, new_need):
    start = dt.datetime(2025, 3, 11, 9, 0, tzinfo=dt.UTC)
    end = start + dt.timedelta(minutes=30)
    if not _seatable(counters, booked_needs):
        return  # only states the booking service can reach
    booked = [((start, end), need) for need in booked_needs]
    pools = [capacity.Pool(counters=len(counters), booked=[i for i, _ in booked])]
    pools += [
        capacity.Pool(counters=n, booked=[i for i, need in booked if need in kinds])
        for kinds, n in capacity.capability_pools(counters, new_need)
    ]
    allocation = {hour: len(counters) for hour in range(24)}
    room = capacity.has_room(start=start, end=end, allocation=allocation, pools=pools)
    assert room == _seatable(counters, [*booked_needs, new_need])


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen")
def test_booking__two_capabilities__refused_when_no_counter_would_be_left():
    # Counter 1 has the photo station, counter 2 photo and fingerprint reader, counter 3
    # neither. With one biometrics booking at 10:00 (only counter 2 can take it), one photo
    # booking fits (counter 1) and a second does not, though two counters have photo.
    photo = Capability.objects.create(code="photo", name_sv="Foto", name_en="Photo")
    bio = Capability.objects.create(code="bio", name_sv="Biometri", name_en="Biometrics")
    office = make_office(counters=3)
    allocate(office, counters=3)
    points = {p.number: p for p in ServicePoint.objects.filter(office=office)}
    points[1].capabilities.add(photo)
    points[2].capabilities.add(photo, bio)
    id_card = make_service(handling_minutes=30, required_capability=photo, mode="both")
    permit = make_service(handling_minutes=30, required_capability=bio, mode="both")
    for service in (id_card, permit):
        make_offering(office=office, service=service)
    at = local(TUESDAY, 10)
    services.book_appointment(
        office=office, service=permit, starts_at=at, contact=Contact(name="A", email="a@x.se")
    )
    services.book_appointment(
        office=office, service=id_card, starts_at=at, contact=Contact(name="B", email="b@x.se")
    )
    with pytest.raises(errors.SlotTaken):
        services.book_appointment(
            office=office,
            service=id_card,
            starts_at=at,
            contact=Contact(name="C", email="c@x.se"),
        )
