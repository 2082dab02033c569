"""Pages: an agency analyst sees only their agency's handovers and no personal data; the
network administrator sees failing endpoints; officers see nothing; the demo receiver."""

import re

import pytest
from django.urls import reverse

from servicekontor.handovers.models import ContactChannel, DemoReceipt, Handover, Partner
from servicekontor.handovers.tests.conftest import VALID_PNR, serve_and_hand_over
from tests.factories import make_user


@pytest.fixture
def both(world, clock_at, partners):
    tax = serve_and_hand_over(world, clock_at, service=world.tax, identity_number=VALID_PNR)
    fk = serve_and_hand_over(world, clock_at, service=world.parental, outcome="meeting_booked")
    return tax, fk


def test_pages__analyst_sees_only_own_agency_without_personal_data(client, world, both):
    tax, fk = both
    client.force_login(make_user(role="agency_analyst", analyst_agency=world.fk))

    page = client.get(reverse("handovers:list"))
    other = client.get(reverse("handovers:list"), {"agency": world.skatteverket.code})

    html = page.content.decode()
    assert page.status_code == 200
    assert fk.reference in html and tax.reference not in html
    assert "070-123" not in html and "decision" not in html
    assert other.status_code == 403 and tax.reference not in other.content.decode()


def test_pages__officer_gets_403_and_bad_status_400(client, world, both):
    client.force_login(world.alice)
    assert client.get(reverse("handovers:list")).status_code == 403
    client.force_login(make_user(role="agency_analyst", analyst_agency=world.fk))
    assert client.get(reverse("handovers:list"), {"status": "x"}).status_code == 400
    assert client.get(reverse("handovers:list"), {"agency": "nope"}).status_code == 404


def test_pages__network_admin_sees_the_failing_endpoint(client, world, clock_at, partners):
    Partner.objects.filter(pk=partners.tax.pk).update(webhook_url="http://127.0.0.1:9/closed")
    from servicekontor.handovers import delivery

    serve_and_hand_over(world, clock_at, service=partners.tax_docs)
    delivery.deliver_due()
    client.force_login(make_user(role="network_admin"))

    html = client.get(reverse("handovers:list")).content.decode()

    assert 'class="failing"' in html and "ConnectionError" in html


@pytest.mark.django_db(transaction=True)  # the live server's thread must see the rows
def test_demo_receiver__verifies_stores_once_and_plays_the_caseworker(
    client, world, clock_at, partners, settings, live_server, django_capture_on_commit_callbacks
):
    settings.DEMO = True
    url = live_server.url + reverse(
        "handovers:demo_hook", kwargs={"agency_code": world.skatteverket.code}
    )
    Partner.objects.filter(pk=partners.tax.pk).update(webhook_url=url)
    with django_capture_on_commit_callbacks(execute=True):
        handover = serve_and_hand_over(world, clock_at, service=partners.tax_docs)
    assert DemoReceipt.objects.count() == 1

    client.force_login(world.alice)
    inbox = reverse("handovers:demo_receiver", kwargs={"agency_code": world.skatteverket.code})
    page = client.get(inbox).content.decode()
    assert handover.reference in page
    # the received handovers are the page's cards, not Django's messages in base.html's box
    # (the list was passed as `messages`: a raw dump of each payload at the top)
    assert 'class="message' not in page and "DemoReceipt" not in page
    # words on the (Swedish) page, not the payload's codes (walk F9/F18)
    assert "<dd>sent</dd>" not in page and "Myndigheten har ännu inte bekräftat mottagandet" in page
    assert not any(f"<dd>{code}" in page for code in ContactChannel.values)
    assert not re.search(r"<dd>\d{12}</dd>", page)  # an identity number has its hyphen
    client.post(inbox, {"reference": handover.reference, "do": "acknowledge", "number": "1"})
    client.post(inbox, {"reference": handover.reference, "do": "needs_citizen"})

    handover.refresh_from_db()
    assert handover.status == "needs_citizen" and handover.case_number.startswith("SKA-")


def test_demo_receiver__refuses_a_bad_signature_and_is_off_outside_the_demo(
    client, world, partners, settings
):
    settings.DEMO = True
    hook = reverse("handovers:demo_hook", kwargs={"agency_code": world.skatteverket.code})
    bad = client.post(
        hook,
        b'{"type":"handover.created"}',
        content_type="application/json",
        HTTP_WEBHOOK_ID="msg_1",
        HTTP_WEBHOOK_TIMESTAMP="1",
        HTTP_WEBHOOK_SIGNATURE="v1,AAAA",
    )
    assert bad.status_code == 400 and not DemoReceipt.objects.exists()
    settings.DEMO = False
    assert client.post(hook, b"{}", content_type="application/json").status_code == 404
    assert not Handover.objects.exists()


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b'{"type":"handover.created","note":"a\x00b"}', "NUL"),  # was a bare 400
        (b"\xff\xfe{}", "UTF-8"),  # was a 500 (UnicodeDecodeError)
        (b'{"type":"handover.created"}', "ignatur"),  # was a bare 400 (sv: Signaturen)
    ],
)
def test_demo_hook__a_refused_body_says_why(client, world, partners, settings, body, words):
    """Walk finding (2026-11-30): the demo receiver's hook answered a NUL byte or a bad
    signature with an empty 400 and a body that is not UTF-8 with a 500."""
    settings.DEMO = True
    hook = reverse("handovers:demo_hook", kwargs={"agency_code": world.skatteverket.code})
    response = client.post(
        hook,
        body,
        content_type="application/json",
        HTTP_WEBHOOK_ID="msg_1",
        HTTP_WEBHOOK_TIMESTAMP="1",
        HTTP_WEBHOOK_SIGNATURE="v1,AAAA",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert words in response.json()["detail"]
    assert not DemoReceipt.objects.exists()


def test_pages__network_admin_opens_on_all_agencies_newest_first(client, world, both):
    """Walk finding (session 14): the admin's list opened on the first agency ("Inga
    överlämningar") with no choice of all; who sees several agencies opens on all of them."""
    tax, fk = both
    client.force_login(make_user(role="network_admin"))

    html = client.get(reverse("handovers:list")).content.decode()

    assert tax.reference in html and fk.reference in html
    assert html.index(fk.reference) < html.index(tax.reference)  # the newest first
    assert '<option value="" selected>Alla myndigheter</option>' in html
    assert world.skatteverket.name in html and world.fk.name in html  # the agency column
    one = client.get(reverse("handovers:list"), {"agency": world.fk.code}).content.decode()
    assert fk.reference in one and tax.reference not in one
    assert '<option value="" selected>' not in one
