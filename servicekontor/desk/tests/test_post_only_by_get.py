"""Walk finding (2026-12-01): back/forward to the handover form, whose form posts to the desk
action URL, gave a GET there: a 405 with an empty body, the browser's own error page. A GET
of a POST-only desk URL now leads to the page its form belongs to."""

from urllib.parse import quote

import pytest
from django.urls import reverse

from servicekontor.queueing.models import Visit


@pytest.mark.parametrize("method", ["get", "head"])
def test_desk_action__get__303_to_the_desk_and_nothing_done(client, world, method):
    client.force_login(world.alice)
    url = reverse("desk:act", kwargs={"office_code": world.office.code})
    response = getattr(client, method)(url, {"action": "call_next"})
    assert response.status_code == 303
    assert response["Location"] == reverse("desk:desk", kwargs={"office_code": world.office.code})
    assert not Visit.objects.exclude(state="waiting").exists()
    # and the desk page it leads to is a page, not a blank
    assert client.get(response["Location"]).status_code in (200, 302)


def test_desk_action__other_methods__still_405(client, world):
    client.force_login(world.alice)
    url = reverse("desk:act", kwargs={"office_code": world.office.code})
    response = client.put(url)
    assert response.status_code == 405 and response["Allow"] == "POST"


def test_desk_action__get_signed_out__to_sign_in(client, world):
    url = reverse("desk:act", kwargs={"office_code": world.office.code})
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]
    # back to the desk page after signing in, not to the POST-only URL
    desk = reverse("desk:desk", kwargs={"office_code": world.office.code})
    assert response["Location"] == f"{reverse('accounts:login')}?next={quote(desk, safe='')}"


def test_sign_out__get__303_to_choosing_a_desk(client, world):
    client.force_login(world.alice)
    response = client.get(reverse("desk:sign_out"))
    assert response.status_code == 303
    assert response["Location"] == reverse("desk:choose")
