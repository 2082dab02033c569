"""Walk F19 (the rest): the handover receipt gives the keyboard a way back to the desk: the
link "Back to the desk" has the focus (autofocus, no JavaScript needed), so the officer prints
(Ctrl+P) and presses Enter."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from servicekontor.handovers.tests.test_desk_handover import _form, _serving


@pytest.mark.parametrize(
    ("language", "words"), [("sv", "Tillbaka till disken"), ("en", "Back to the desk")]
)
def test_receipt__the_way_back_to_the_desk_has_the_focus(client, world, partners, language, words):
    client.force_login(world.alice)
    visit = _serving(world, world.tax)
    with translation.override(language):
        act = reverse("desk:act", kwargs={"office_code": world.office.code})
        desk = reverse("desk:desk", kwargs={"office_code": world.office.code})
    response = client.post(
        act,
        {
            "action": "finish",
            "visit": visit.pk,
            "outcome": "documents_forwarded",
            "handover_step": "1",
            **_form("h0", world.tax, identity_number="900101-0017"),
        },
    )
    assert response.status_code == 303

    html = client.get(response["Location"]).content.decode()

    link = re.search(r'<a href="([^"]+)" id="back-to-desk" autofocus>([^<]+)</a>', html)
    assert link is not None
    assert (link.group(1), link.group(2)) == (desk, words)
    assert html.count("autofocus") == 1  # nothing else takes the focus first
