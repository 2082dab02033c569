"""A NUL byte in a raw (JSON) body gets the same clear answer as one in a form or a query
(walk finding, 2026-11-30: the API said "JSON parse error - Invalid control character at:
line 1 column 19", in English whatever the language)."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [b'{"display_name":"A\x00B","periods":[]}', b"\x00", b'{"display_name":"A"}\x00'],
)
def test_api_json_body_with_a_nul__the_nul_message_in_the_users_language(client, body):
    response = client.put(
        "/api/partner/caseworkers/cw1/availability/",
        body,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="sv",
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Förfrågan innehåller ett NUL-tecken, som inget fält får innehålla."
    }


@pytest.mark.django_db
def test_a_form_body_is_left_to_the_form(client):
    """Forms keep their own handling (a NUL in a value: the middleware or the form's field
    error), and a multipart upload is not read here."""
    response = client.post("/staff/login/", {"username": "a", "password": "b"})
    assert response.status_code == 200
