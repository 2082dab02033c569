"""The signed-in user read by one written statement (`UserBackend.get_user`, decision 0050):
the same object as the ORM's, only active users, never an error for a bad key, and Django's
session rules unchanged (a password change ends other sessions)."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from servicekontor.accounts.backends import UserBackend
from servicekontor.accounts.models import User
from tests.factories import make_agency


def _fields(user: User) -> dict[str, object]:
    # with the types: SQLite gives naive datetimes and 0/1 for booleans without converters
    return {
        f.attname: (type(getattr(user, f.attname)), getattr(user, f.attname))
        for f in User._meta.concrete_fields
    }


@pytest.mark.django_db
def test_get_user__the_orms_object_in_one_statement() -> None:
    agency = make_agency()
    made = User.objects.create_user(
        "analyst",
        password="pw-1234-long",
        first_name="Åsa",
        last_name="Öberg",
        email="a@x.se",
        role="agency_analyst",
        analyst_agency=agency,
    )
    with CaptureQueriesContext(connection) as statements:
        user = UserBackend().get_user(made.pk)
    assert len(statements) == 1
    assert user is not None
    assert _fields(user) == _fields(User.objects.get(pk=made.pk))
    assert user.get_deferred_fields() == set()
    assert user._state.adding is False and user._state.db == "default"
    assert UserBackend().get_user(str(made.pk)) is not None  # as a session may store it


@pytest.mark.django_db
@pytest.mark.parametrize(
    "key", [None, "", "abc", "1.5", "-1", "0", str(2**63), "\x00", "١٢", [], {"pk": 1}]
)
def test_get_user__a_bad_key_is_nobody(key: object) -> None:
    User.objects.create_user("someone", password="pw-1234-long")
    assert UserBackend().get_user(key) is None


@pytest.mark.django_db
def test_get_user__unknown_or_inactive_is_nobody() -> None:
    user = User.objects.create_user("gone", password="pw-1234-long")
    assert UserBackend().get_user(user.pk + 1000) is None
    user.is_active = False
    user.save()
    assert UserBackend().get_user(user.pk) is None


@pytest.mark.django_db
def test_sessions__signed_in_user_and_password_change_ends_other_sessions() -> None:
    User.objects.create_user("officer", password="pw-1234-long", role="service_officer")
    first, second = Client(), Client()
    assert first.login(username="officer", password="pw-1234-long")
    assert second.login(username="officer", password="pw-1234-long")
    assert first.session["_auth_user_backend"] == "servicekontor.accounts.backends.UserBackend"
    assert first.get("/desk/").wsgi_request.user.username == "officer"
    user = User.objects.get(username="officer")
    user.set_password("another-pw-5678")
    user.save()
    # The session's hash no longer matches: signed out, as with Django's own backend.
    response = second.get("/desk/")
    assert not response.wsgi_request.user.is_authenticated
    assert SESSION_KEY not in second.session
