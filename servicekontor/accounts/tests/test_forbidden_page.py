"""The 403 page tells each role whom to ask (the walk: a manager was told to ask their
office manager)."""

import pytest
from django.urls import reverse

from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "says", "never"),
    [
        ("office_manager", "fråga en nätverksadministratör", "din kontorschef"),
        # (the page may say whom the screen is for: "… är bara för nätverksadministratörer")
        ("service_officer", "fråga din kontorschef", "fråga en nätverksadministratör"),
        ("agency_analyst", "egen myndighets siffror", "din kontorschef"),
    ],
)
def test_forbidden_page__whom_to_ask_fits_the_role(client, role, says, never):
    client.force_login(make_user(role=role))
    response = client.get(reverse("planning:index"))  # network administrators only
    assert response.status_code == 403
    html = response.content.decode()
    assert says in html and never not in html
