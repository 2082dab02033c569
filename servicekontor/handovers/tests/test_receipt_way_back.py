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

    link = re.search(
        r'<a href="([^"]+)" id="back-to-desk" accesskey="b" aria-keyshortcuts="Alt\+B" '
        r"autofocus>([^<]+) <kbd>B</kbd></a>",
        html,
    )
    assert link is not None
    assert (link.group(1), link.group(2)) == (desk, words)
    assert html.count("autofocus") == 1  # nothing else takes the focus first


@pytest.mark.parametrize(
    ("language", "words"),
    [("sv", "Tillbaka till disken (inget sparas)"), ("en", "Back to the desk (nothing is saved)")],
)
def test_handover_form__the_way_back_has_the_desk_pages_shortcut(
    client, world, partners, language, words
):
    """The handover page's back link had no keyboard shortcut while the receipt's and the
    booking's had one: every way back to the desk is Alt+B, shown as the desk shows keys."""
    client.force_login(world.alice)
    visit = _serving(world, world.tax)
    with translation.override(language):
        act = reverse("desk:act", kwargs={"office_code": world.office.code})
        desk = reverse("desk:desk", kwargs={"office_code": world.office.code})
    page = client.post(act, {"action": "finish", "visit": visit.pk, "outcome": "referred"})
    assert page.status_code == 200 and 'name="handover_step"' in page.content.decode()
    html = page.content.decode()
    assert (
        f'<a href="{desk}" id="back-to-desk" accesskey="b" aria-keyshortcuts="Alt+B">'
        f"{words} <kbd>B</kbd></a>"
    ) in html
    assert html.count('accesskey="b"') == 1


def test_every_way_back_to_the_desk_is_the_one_link_with_its_shortcut():
    """No page of the desk links back to it but through desk/_back_to_desk.html."""
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.BASE_DIR) / "templates"
    plain = [
        str(path.relative_to(root))
        for path in root.rglob("*.html")
        if path.name != "_back_to_desk.html"
        and re.search(r"<a href=\"\{% url 'desk:desk'[^>]*>[^<]*Back to the desk", path.read_text())
    ]
    assert plain == []
