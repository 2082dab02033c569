"""The per-request floor (docs/benchmarks.md, "Per-request floor"): what every request pays
before its view does anything. A request whose view needs neither the session nor the user
reads neither (the session and the user are loaded lazily); nothing saves the session on a
request that did not change it. A change that makes the middleware read the user, the session
or the database on every request fails here."""

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import make_user


def test_favicon__signed_in__no_statement_no_session_write(db):
    client = Client()
    client.force_login(make_user())
    before = client.cookies["sessionid"].value
    with CaptureQueriesContext(connection) as statements:
        response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert len(statements) == 0  # neither the session (database here) nor the user
    assert "sessionid" not in response.cookies  # not saved again
    assert client.cookies["sessionid"].value == before


def test_signed_in_page__session_read_once_and_not_written(db):
    client = Client()
    user = make_user(role="office_manager")
    client.force_login(user)
    with CaptureQueriesContext(connection) as statements:
        response = client.get("/staff/")
    assert response.status_code in (200, 302)
    sessions = [q["sql"] for q in statements.captured_queries if "django_session" in q["sql"]]
    # read once: from the database, or (REDIS_URL set: cached_db) from the cache alone
    cached = settings.SESSION_ENGINE == "servicekontor.core.sessions"  # cached_db
    assert len(sessions) == (0 if cached else 1), sessions
    assert not any(s.lstrip().upper().startswith(("UPDATE", "INSERT")) for s in sessions)
    users = [q["sql"] for q in statements.captured_queries if '"accounts_user"' in q["sql"]]
    assert users, "the user is read on every signed-in request (deactivation takes effect)"
