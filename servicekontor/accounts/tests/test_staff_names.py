"""Walk finding (2026-12-01): the desk chooser said "taken by officer" (the user name). Staff
are shown to staff by their name (full name; the user name only when no name is set): `str()`
of a user is that name, so every "by {{ user }}" (who saved a scenario, settled a month,
created or adopted a change plan, the admin's lists) shows it too."""

import pytest
from django.urls import reverse

from servicekontor.changeplans import services as changeplans
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_user__str_and_display_name__the_full_name():
    user = make_user(username="officer7")
    user.first_name, user.last_name = "Anna", "Svensson"
    assert str(user) == user.display_name == "Anna Svensson"


def test_user__without_a_name__the_user_name():
    user = make_user(username="officer7")
    assert str(user) == user.display_name == "officer7"


def test_change_plans__created_and_adopted_by_the_name(client):
    admin = make_user(username="nek", role="network_admin")
    admin.first_name, admin.last_name = "Nils", "Ek"
    admin.save()
    changeplans.create_plan(user=admin, name="Utbyggnad")
    client.force_login(admin)
    html = client.get(reverse("changeplans:index")).content.decode()
    assert "(Nils Ek)" in html and "(nek)" not in html
