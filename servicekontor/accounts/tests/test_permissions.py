"""Who may do what. Personas: alice serves at Kiruna, bob manages Kiruna, charlie works at
Luleå and must not act at Kiruna, dana administers the network, erik analyses Skatteverket."""

import pytest
from django.db import IntegrityError, transaction

from servicekontor.accounts import permissions
from servicekontor.accounts.models import Role
from tests.factories import make_agency, make_office, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, object]:
    kiruna, lulea = make_office(code="kiruna"), make_office(code="lulea")
    skatteverket, fk = make_agency(code="skatteverket"), make_agency(code="fk")
    return {
        "kiruna": kiruna,
        "lulea": lulea,
        "skatteverket": skatteverket,
        "fk": fk,
        "alice": make_user(offices=[kiruna], agencies=[skatteverket]),
        "bob": make_user(role=Role.OFFICE_MANAGER, offices=[kiruna], agencies=[fk]),
        "charlie": make_user(offices=[lulea], agencies=[skatteverket, fk]),
        "dana": make_user(role=Role.NETWORK_ADMIN),
        "erik": make_user(role=Role.AGENCY_ANALYST, analyst_agency=skatteverket),
    }


def test_can_serve_at__assigned_officers_and_managers_only(world: dict) -> None:
    kiruna = world["kiruna"]
    assert permissions.can_serve_at(world["alice"], kiruna)
    assert permissions.can_serve_at(world["bob"], kiruna)
    assert not permissions.can_serve_at(world["charlie"], kiruna)
    assert not permissions.can_serve_at(world["dana"], kiruna)
    assert not permissions.can_serve_at(world["erik"], kiruna)


def test_can_serve_at__deactivated_officer__no(world: dict) -> None:
    alice = world["alice"]
    alice.is_active = False
    assert not permissions.can_serve_at(alice, world["kiruna"])


def test_can_manage__manager_of_office_and_network_admin(world: dict) -> None:
    kiruna, lulea = world["kiruna"], world["lulea"]
    assert permissions.can_manage(world["bob"], kiruna)
    assert not permissions.can_manage(world["bob"], lulea)
    assert not permissions.can_manage(world["alice"], kiruna)
    assert permissions.can_manage(world["dana"], lulea)
    assert list(permissions.managed_offices(world["bob"])) == [kiruna]
    assert permissions.managed_offices(world["dana"]).count() == 2
    assert not permissions.managed_offices(world["erik"]).exists()


def test_visible_agencies__analyst_sees_only_own_agency(world: dict) -> None:
    assert list(permissions.visible_agencies(world["erik"])) == [world["skatteverket"]]
    assert permissions.visible_agencies(world["dana"]).count() == 2


def test_trained_agency_ids__competences(world: dict) -> None:
    assert permissions.trained_agency_ids(world["alice"]) == {world["skatteverket"].pk}
    assert permissions.trained_agency_ids(world["charlie"]) == {
        world["skatteverket"].pk,
        world["fk"].pk,
    }


def test_user__analyst_without_agency__rejected_by_database() -> None:
    from servicekontor.accounts.models import User

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="nobody", role=Role.AGENCY_ANALYST)


def test_user__officer_with_analyst_agency__rejected_by_database() -> None:
    from servicekontor.accounts.models import User

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="x", role=Role.SERVICE_OFFICER, analyst_agency=make_agency())
