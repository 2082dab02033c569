"""Walk F18: transfer and "did not come" have shortcuts (T, K) in the shortcut list, and a
transfer says where the visit now waits and that call-next at this desk may call it back
(the call order does not look at who handed a visit on: decision 0093)."""

import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from servicekontor.queueing import services

SERVES_TOO = {
    "sv": "Den här disken har också den tjänsten: Ropa upp nästa här kan ropa upp",
    "en": "This desk serves it too: Call next here may call",
}
TRANSFERRED = {
    "sv": "{ticket} är överförd till {agency}: {service}: i den kön sedan {since}.",
    "en": "{ticket} transferred to {agency}: {service}: in that line since {since}.",
}


def _act(client, world, language, **data):
    with translation.override(language):
        url = reverse("desk:act", kwargs={"office_code": world.office.code})
    return client.post(url, data, follow=True)


def _message(html: str) -> str:
    found = re.search(r'<div id="desk-message" class="message[^"]*" role="\w+">([^<]*)</div>', html)
    if found is None:
        found = re.search(r'<p class="message[^"]*" role="\w+">([^<]*)</p>', html)
    assert found is not None, html[:2000]
    return unescape(found.group(1))


def _expected(language, visit, service) -> str:
    since = timezone.localtime(visit.queued_at).strftime("%H:%M")
    with translation.override(language):
        agency = service.agency.name
    return TRANSFERRED[language].format(
        ticket=visit.ticket, agency=agency, service=service.name, since=since
    )


@pytest.mark.parametrize("language", ["sv", "en"])
def test_transfer__says_the_place_and_that_this_desk_may_call_it_back(client, world, language):
    """No JavaScript: the form posts, the desk page after the redirect says it."""
    visit = services.issue_ticket(office=world.office, service=world.tax)
    client.force_login(world.alice)
    _act(client, world, language, action="call_next")

    page = _act(
        client, world, language, action="transfer", visit=visit.pk, service=world.parental.pk
    )

    said = _message(page.content.decode())
    visit.refresh_from_db()
    assert said.startswith(_expected(language, visit, world.parental)), said
    assert SERVES_TOO[language] in said and f"{visit.ticket}" in said.split(":")[-1]
    # what the message warns of: this desk (trained for both) calls it back next
    assert services.call_next(officer=world.alice).pk == visit.pk


@pytest.mark.parametrize("language", ["sv", "en"])
def test_transfer__to_a_service_this_desk_does_not_serve__no_call_back_warning(
    client, world, language
):
    visit = services.issue_ticket(office=world.office, service=world.tax)
    client.force_login(world.bob)  # trained for Skatteverket only
    _act(client, world, language, action="call_next")

    page = _act(
        client, world, language, action="transfer", visit=visit.pk, service=world.parental.pk
    )

    said = _message(page.content.decode())
    visit.refresh_from_db()
    assert said == _expected(language, visit, world.parental)
    assert SERVES_TOO[language] not in said


@pytest.mark.parametrize(
    ("language", "shortcuts"),
    [
        ("sv", "K kom inte, H parkera, F resultat, T överför"),
        ("en", "K did not come, H hold, F outcome, T transfer"),
    ],
)
def test_desk__transfer_and_did_not_come_have_shortcuts(client, world, language, shortcuts):
    services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)
    client.force_login(world.alice)
    with translation.override(language):
        url = reverse("desk:desk", kwargs={"office_code": world.office.code})

    html = client.get(url).content.decode()

    assert shortcuts in html
    assert 'value="no_show" accesskey="k" data-key="k">' in html
    assert '<select name="service" id="transfer-service" accesskey="t" data-key="t">' in html
    assert re.search(r'<label for="transfer-service">[^<]+ <kbd>T</kbd></label>', html)
    # one element per key: desk.js presses the first it finds
    for key in "nsrhfkt":
        assert html.count(f'data-key="{key}"') <= 1, key
