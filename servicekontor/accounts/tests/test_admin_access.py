"""The admin's access rule in core agrees with accounts.permissions for every role."""

import pytest

from servicekontor.accounts.models import Role
from servicekontor.accounts.permissions import is_network_admin
from servicekontor.core.admin_access import NETWORK_ADMIN_ROLE, may_administer_registry
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_admin_access__role_value__matches_accounts_role() -> None:
    assert Role.NETWORK_ADMIN.value == NETWORK_ADMIN_ROLE


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("is_superuser", [False, True])
@pytest.mark.parametrize("is_active", [True, False])
def test_admin_access__staff__agrees_with_is_network_admin(
    role: str, is_superuser: bool, is_active: bool
) -> None:
    user = make_user(role=role, is_staff=True, is_superuser=is_superuser)
    user.is_active = is_active
    assert may_administer_registry(user) == is_network_admin(user)


def test_admin_access__network_admin_without_staff_flag__no_admin() -> None:
    user = make_user(role=Role.NETWORK_ADMIN, is_staff=False)
    assert is_network_admin(user)
    assert not may_administer_registry(user)
