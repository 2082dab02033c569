"""A person's API token can be revoked (`manage.py revoke_api_token`): by its id, by the token
itself, or every token of a user; from the next request on it is refused 401 with the
message in the request's language."""

from __future__ import annotations

import io
import sys

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from servicekontor.accounts.models import ApiToken
from servicekontor.reports.services import create_api_token

PERIOD = {"from": "2026-11-01", "to": "2026-11-30"}
WORDS = {"en": "Unknown or inactive API token.", "sv": "Okänd eller inaktiv API-nyckel."}


def _get(client, token: str, language: str = "en"):
    return client.get(
        reverse("statistics-figures"),
        PERIOD,
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_ACCEPT_LANGUAGE=language,
    )


def _run(*args: str, stdin: str = "") -> str:
    out = io.StringIO()
    old = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        call_command("revoke_api_token", *args, stdout=out)
    finally:
        sys.stdin = old
    return out.getvalue()


def _pk(token: str) -> int:
    return ApiToken.objects.get(token_hash=ApiToken.hash(token)).pk


@pytest.mark.parametrize("language", ["en", "sv"])
def test_revoke__by_id__the_next_request_is_401_revoked(
    client, served_world, people, language: str
) -> None:
    token = create_api_token(user=people.admin, name="monthly script")
    other = create_api_token(user=people.admin, name="other script")
    assert _get(client, token, language).status_code == 200

    out = _run(str(_pk(token)))

    assert f"Revoked API token {_pk(token)} (admin · monthly script)" in out
    response = _get(client, token, language)
    assert response.status_code == 401
    assert response.json()["detail"] == WORDS[language]
    assert _get(client, other, language).status_code == 200, "only that token"
    assert "already revoked" in _run(str(_pk(token)))


def test_revoke__by_the_token_from_stdin(client, served_world, people) -> None:
    token = create_api_token(user=people.admin, name="leaked")
    out = _run("--token-stdin", stdin=token + "\n")
    assert "Revoked API token" in out and token not in out
    assert _get(client, token).status_code == 401


def test_revoke__user_lists_then_all_revokes(client, served_world, people) -> None:
    a = create_api_token(user=people.admin, name="a")
    b = create_api_token(user=people.admin, name="b")
    listed = _run("--user", "admin")
    assert f"{_pk(a)}  admin · a" in listed and f"{_pk(b)}  admin · b" in listed
    assert "active" in listed
    assert _get(client, a).status_code == 200, "listing revokes nothing"
    _run("--user", "admin", "--all")
    assert _get(client, a).status_code == 401
    assert _get(client, b).status_code == 401
    assert "revoked" in _run("--user", "admin")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("999999",), "No API token with id 999999"),
        (("--user", "nobody"), "No user 'nobody'"),
        ((), "Give one of"),
        (("--token-stdin",), "No API token matches"),
    ],
)
def test_revoke__unknown__says_so(db, args: tuple[str, ...], words: str) -> None:
    with pytest.raises(CommandError, match=words):
        _run(*args, stdin="not-a-token\n")


def test_create_api_token__prints_the_id_to_revoke_it(db, people) -> None:
    out = io.StringIO()
    call_command("create_api_token", "admin", "script", stdout=out)
    pk = ApiToken.objects.get(user=people.admin).pk
    assert f"manage.py revoke_api_token {pk} revokes it" in out.getvalue()
