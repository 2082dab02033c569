"""At the desk: finishing an errand the agency must pick up opens the handover form; the
finish and the handover are one transaction; the citizen gets a printed reference."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from servicekontor.handovers import encryption
from servicekontor.handovers.models import Delivery, Handover
from servicekontor.handovers.tests.conftest import VALID_PNR
from servicekontor.messaging.models import Message
from servicekontor.queueing import services
from servicekontor.queueing.models import Errand, Visit


@pytest.fixture
def alice(client, world):
    client.force_login(world.alice)
    return client


def _act(client, world, **data):
    return client.post(reverse("desk:act", kwargs={"office_code": world.office.code}), data)


def _finish(client, world, visit, outcome, **data):
    """The desk's finish of `visit` with `outcome` (and `data`: a note, a split, a handover)."""
    return _act(client, world, action="finish", visit=visit.pk, outcome=outcome, **data)


def _hand_over(client, world, visit, service, outcome="referred", /, **fields):
    """The desk's finish of `visit` with `outcome` and the handover form sent (step 1): the
    form `_form` fills in for `service` (prefix h0), `fields` in place of its values (a
    field may be named as a parameter here: `service="999999"` is the form's)."""
    return _finish(
        client, world, visit, outcome, handover_step="1", **_form("h0", service, **fields)
    )


def _documents_handed_over(client, world, /, **fields):
    """A `tax` visit served and finished as documents forwarded with its handover (a valid
    identity number; `fields` as `_hand_over`'s): the answer, 303 to the printed slip."""
    visit = _serving(world, world.tax)
    return _hand_over(
        client,
        world,
        visit,
        world.tax,
        "documents_forwarded",
        identity_number="900101-0017",
        **fields,
    )


def _serving(world, service):
    visit = services.issue_ticket(office=world.office, service=service)
    services.call_visit(officer=world.alice, visit_id=visit.pk)
    services.start_service(officer=world.alice, visit_id=visit.pk)
    return visit


def _form(prefix, the_service, **overrides):
    """A valid handover form for `the_service` under `prefix`; `overrides` replace its
    fields (named without the prefix), None leaves a field out."""
    data = {
        f"{prefix}-service": the_service.pk,
        f"{prefix}-needs": "Wants the decision on the tax return reconsidered.",
        f"{prefix}-contact_channel": "phone",
        f"{prefix}-contact": "070-123 45 67",
        f"{prefix}-doc1_kind": "Payslip",
        f"{prefix}-doc1_count": "3",
        f"{prefix}-reference_by": "printed",
        f"{prefix}-language": "sv",
        f"{prefix}-consent": "on",
    }
    data.update({f"{prefix}-{k}": v for k, v in overrides.items()})
    return {k: v for k, v in data.items() if v is not None}


def test_desk_handover__outcome_needing_the_agency_opens_the_form(alice, world, partners):
    visit = _serving(world, world.tax)

    page = _finish(alice, world, visit, "referred", note="x")

    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="h0-needs"' in html and 'name="h0-identity_number"' in html
    assert 'name="note" value="x"' in html  # the finish form is carried along
    assert Visit.objects.get(pk=visit.pk).state == "serving"  # nothing finished yet


def test_desk_handover__submit_finishes_hands_over_and_prints_the_reference(
    alice, world, partners, clock_at
):
    visit = _serving(world, world.tax)
    clock_at.shift(dt.timedelta(minutes=5))

    response = _hand_over(
        alice, world, visit, world.tax, "documents_forwarded", identity_number="900101-0017"
    )

    assert response.status_code == 303
    handover = Handover.objects.get()
    assert Visit.objects.get(pk=visit.pk).state == "finished"
    assert handover.errand == Errand.objects.get(visit=visit)
    assert handover.documents == [{"kind": "Payslip", "count": 3}]
    assert encryption.decrypt(handover.identity_number_encrypted) == "199001010017"
    receipt = alice.get(response["Location"])
    assert receipt.status_code == 200
    text = receipt.content.decode()
    assert handover.reference in text
    assert "199001010017" not in text and "900101" not in text
    assert "tax return" not in text  # what the citizen needs stays off the slip


def test_desk_handover__bad_identity_number_is_400_and_nothing_finished(alice, world, partners):
    visit = _serving(world, world.tax)

    response = _hand_over(alice, world, visit, world.tax, identity_number="19900101-0018")

    assert response.status_code == 400
    assert "not a valid Swedish" in response.content.decode() or "inte" in response.content.decode()
    assert "19900101-0018" in response.content.decode()  # kept in the form to correct it
    assert Visit.objects.get(pk=visit.pk).state == "serving"
    assert not Handover.objects.exists() and not Delivery.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"consent": ""},
        {"needs": ""},
        {"contact_channel": "pigeon"},
        {"doc1_count": "0"},
        {"doc1_count": ""},
        {"reference_by": "email", "reference_to": ""},
        {"reference_by": "sms", "reference_to": "08-123 456 78"},
        {"language": "xx"},
        {"service": "999999"},
    ],
)
def test_desk_handover__bad_form_is_400_with_nothing_written(alice, world, partners, overrides):
    visit = _serving(world, world.tax)

    response = _hand_over(alice, world, visit, world.tax, identity_number=VALID_PNR, **overrides)

    assert response.status_code == 400
    assert Visit.objects.get(pk=visit.pk).state == "serving"
    assert not Handover.objects.exists()


def test_desk_handover__identity_number_refused_where_not_needed(alice, world, partners):
    """Skatteverket takes it for one service: the field is there, and for another service
    a number is refused."""
    visit = _serving(world, partners.tax_docs)

    response = _hand_over(alice, world, visit, partners.tax_docs, identity_number=VALID_PNR)

    assert response.status_code == 400
    assert not Handover.objects.exists()


@pytest.mark.parametrize("language", ["sv", "en"])
def test_desk_handover__no_identity_field_where_no_service_takes_it(
    alice, world, partners, language
):
    """Walk F20: Försäkringskassan's handover showed "Personnummer — not needed: leave it
    empty", then refused a number typed in. None of its services takes one: no field, and a
    number posted anyway is not kept."""
    visit = _serving(world, world.parental)
    prefix = "/en" if language == "en" else ""
    url = prefix + reverse("desk:act", kwargs={"office_code": world.office.code})
    page = alice.post(url, {"action": "finish", "visit": visit.pk, "outcome": "referred"})
    html = page.content.decode()
    assert page.status_code == 200 and 'name="h0-needs"' in html
    assert "identity_number" not in html
    assert ("Personnummer" if language == "sv" else "identity number") not in html

    response = _hand_over(
        alice, world, visit, world.parental, "meeting_booked", identity_number=VALID_PNR
    )

    assert response.status_code == 303
    assert not encryption.decrypt(Handover.objects.get().identity_number_encrypted)


def test_desk_handover__other_agencys_service_cannot_be_chosen(alice, world, partners):
    visit = _serving(world, world.tax)

    response = _hand_over(alice, world, visit, world.parental)

    assert response.status_code == 400
    assert not Handover.objects.exists()


def test_desk_handover__split_hands_over_only_the_errand_that_needs_it(
    alice, world, partners, clock_at
):
    visit = _serving(world, world.tax)
    clock_at.shift(dt.timedelta(minutes=10))

    response = _finish(
        alice,
        world,
        visit,
        "resolved",
        split_service=world.parental.pk,
        split_outcome="meeting_booked",
        split_percent="30",
        handover_step="1",
        **_form("h1", world.parental),
    )

    assert response.status_code == 303
    handover = Handover.objects.get()
    assert handover.errand is not None
    assert handover.agency == world.fk and handover.errand.outcome == "meeting_booked"


def test_desk_handover__errand_action_hands_over_and_keeps_serving(alice, world, partners):
    visit = _serving(world, world.tax)

    form = _act(
        alice, world, action="errand", visit=visit.pk, service=world.parental.pk, outcome="referred"
    )
    done = _act(
        alice,
        world,
        action="errand",
        visit=visit.pk,
        service=world.parental.pk,
        outcome="referred",
        handover_step="1",
        **_form("h0", world.parental),
    )

    assert form.status_code == 200 and done.status_code == 303
    assert Visit.objects.get(pk=visit.pk).state == "serving"
    assert Handover.objects.get().service == world.parental


def test_desk_handover__outcome_without_handover_finishes_as_before(alice, world, partners):
    visit = _serving(world, world.tax)

    response = _finish(alice, world, visit, "resolved")

    assert response.status_code == 303
    assert not Handover.objects.exists()


def test_desk_handover__receipt_only_for_staff_of_the_office(client, world, partners):
    visit = _serving(world, world.tax)
    client.force_login(world.alice)
    _hand_over(client, world, visit, world.tax, identity_number=VALID_PNR)
    url = reverse("desk:receipt", kwargs={"office_code": world.office.code, "visit_id": visit.pk})

    client.force_login(world.charlie)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize(
    ("by", "to", "channel"), [("sms", "070-123 45 67", "sms"), ("email", "a@example.se", "email")]
)
def test_desk_handover__reference_by_sms_or_mail_goes_to_the_outbox(
    alice, world, partners, by, to, channel
):
    visit = _serving(world, world.parental)

    response = _hand_over(
        alice, world, visit, world.parental, reference_by=by, reference_to=to, language="en"
    )

    assert response.status_code == 303
    handover = Handover.objects.get()
    message = Message.objects.get(topic="handover_reference")
    assert (message.channel, message.object_id, message.language) == (channel, handover.pk, "en")
    assert handover.reference in message.body_text
    assert "Wants the decision" not in message.body_text


def test_desk_handover__from_desk_js__does_nothing_and_asks_for_a_plain_post(
    alice, world, partners
):
    """desk.js sends actions with X-Desk-Fragment and puts the answered parts in place; the
    handover form is a page of its own, so the answer says so (X-Desk-Form) and desk.js sends
    the same form again as a plain POST, which shows the form."""
    visit = _serving(world, world.tax)

    response = alice.post(
        reverse("desk:act", kwargs={"office_code": world.office.code}),
        {"action": "finish", "visit": visit.pk, "outcome": "referred"},
        headers={"X-Desk-Fragment": "1"},
    )

    assert response["X-Desk-Form"] == "1" and response.get("X-Desk-Parts") is None
    assert Visit.objects.get(pk=visit.pk).state == "serving"  # nothing finished yet
    assert not Handover.objects.exists()


def test_desk_handover__every_problem_shown_at_once_beside_its_field(alice, world, partners):
    """The walk: the identity number's error appeared only after the SMS number's was fixed."""
    visit = _serving(world, world.tax)

    response = _hand_over(
        alice,
        world,
        visit,
        world.tax,
        identity_number="19900101-0018",
        reference_by="sms",
        reference_to="08-123 456 78",
        contact="not a phone",
    )

    assert response.status_code == 400
    form = response.context["items"][0]["form"]
    assert {"identity_number", "reference_to", "contact"} <= set(form.errors)
    assert Visit.objects.get(pk=visit.pk).state == "serving"
    assert not Handover.objects.exists()


MONTHS = {
    "sv": "januari februari mars april maj juni juli augusti september oktober november december",
    "en": "January February March April May June July August September October November December",
}


@pytest.mark.parametrize(
    ("language", "heading"), [("en", "Your reference"), ("sv", "Din referens")]
)
def test_desk_handover__printed_reference_in_the_language_chosen_for_the_citizen(
    alice, world, partners, language, heading
):
    """The walk: the form asks for the citizen's language, but the printed slip came in the
    officer's (and dated 2026-12-02, where every other citizen text writes the month out).
    The slip follows the choice; the officer's own words around it stay in theirs."""
    response = _documents_handed_over(alice, world, language=language)

    assert response.status_code == 303
    assert response["Location"].endswith(f"?language={language}")
    html = alice.get(response["Location"]).content.decode()
    handover = Handover.objects.get()
    day = handover.visit_day
    month = MONTHS[language].split()[day.month - 1]
    assert f'lang="{language}"' in html
    assert heading in html and f"{day.day} {month} {day.year}" in html
    assert day.isoformat() not in html
    assert "Tillbaka till disken" in html  # the officer's page, in Swedish


@pytest.mark.parametrize("asked", ["", "xx", "<script>"])
def test_desk_handover__receipt_without_a_known_language__in_the_officer_s(
    alice, world, partners, asked
):
    response = _documents_handed_over(alice, world)
    receipt = response["Location"].split("?")[0]
    page = alice.get(receipt, {"language": asked} if asked else {})
    assert page.status_code == 200
    assert "Din referens" in page.content.decode() and "<script>" not in page.content.decode()


@pytest.mark.parametrize(
    ("outcome", "refused"),
    [("documents_forwarded", True), ("referred", False), ("meeting_booked", False)],
)
def test_desk_handover__documents_forwarded_names_at_least_one_document(
    alice, world, partners, outcome, refused
):
    """The walk: "Documents received and forwarded" was handed over with no document named,
    so the agency learnt that papers came but not which. Only that outcome needs them."""
    visit = _serving(world, world.tax)

    response = _hand_over(
        alice,
        world,
        visit,
        world.tax,
        outcome,
        identity_number="900101-0017",
        doc1_kind=None,
        doc1_count=None,
    )

    if refused:
        assert response.status_code == 400
        html = response.content.decode()
        assert "Ange vilka handlingar som togs emot" in html
        assert 'href="#id_h0-doc1_kind"' in html  # the summary links to the field
        assert Visit.objects.get(pk=visit.pk).state == "serving" and not Handover.objects.exists()
    else:
        assert response.status_code == 303
        assert Handover.objects.get().documents == []


def test_handover_service__documents_forwarded_without_documents__refused(
    world, partners, clock_at
):
    from servicekontor.handovers.errors import HandoverError
    from servicekontor.handovers.tests.conftest import serve_and_hand_over

    with pytest.raises(HandoverError):
        serve_and_hand_over(
            world, clock_at, service=world.tax, documents=(), identity_number=VALID_PNR
        )
    assert not Handover.objects.exists()


def test_desk_handover__identity_number_in_the_needs_text__refused_at_that_field(
    alice, world, partners
):
    """The identity number goes encrypted in its own field, to the agencies that need it;
    written into "what the citizen needs" it would travel as plain text."""
    visit = _serving(world, world.tax)

    response = _hand_over(
        alice,
        world,
        visit,
        world.tax,
        identity_number="900101-0017",
        needs="Omprövning för 900101-0017 av deklarationen",
    )

    assert response.status_code == 400
    assert "Skriv inte personnumret i den här texten" in response.content.decode()
    assert not Handover.objects.exists()


def test_desk_finish__note_with_an_identity_number__refused_and_said(alice, world):
    visit = _serving(world, world.tax)

    response = _finish(alice, world, visit, "resolved", note="pnr 121212-1212")

    assert response.status_code == 303 and response["X-Refused"] == "400"
    page = alice.get(response["Location"]).content.decode()
    assert "Anteckningen innehåller ett personnummer" in page
    assert Visit.objects.get(pk=visit.pk).state == "serving"


@pytest.mark.parametrize(("language", "contact"), [("en", "Contact"), ("sv", "Kontakta")])
def test_desk_handover__slip_reference_big_and_bold_with_the_agency_s_contact(
    alice, world, partners, language, contact
):
    """Walk finding F5: the slip printed the reference in body-size letters (its class had no
    style on that page) and named the agency with no way to reach it. The reference is as big
    and bold as a ticket number (site.css, every page and print, also a booking code) and the
    agency's website is on the slip."""
    from pathlib import Path

    from django.conf import settings
    from django.utils import translation

    from servicekontor.catalog.models import Agency

    Agency.objects.update(website="https://www.skatteverket.se/")
    response = _documents_handed_over(alice, world, language=language)
    html = alice.get(response["Location"]).content.decode()
    handover = Handover.objects.get()
    assert f'class="ticket-number" id="ref-{handover.pk}">{handover.reference}<' in html
    section = html.split('class="card receipt"')[1]
    with translation.override(language):
        name = handover.agency.name
    assert f'{contact} {name}: <a href="https://www.skatteverket.se/">' in section
    css = (Path(settings.BASE_DIR) / "servicekontor/core/static/core/site.css").read_text()
    rule = re.search(r"^\.ticket-number \{([^}]*)\}", css, re.M)
    assert rule and "font-weight: 800" in rule.group(1) and "font-size: 2.5rem" in rule.group(1)
    for page in ("appointments/manage.html", "appointments/desk_booked.html"):
        text = (Path(settings.BASE_DIR) / "templates" / page).read_text()
        assert '<strong class="ticket-number">{{ code }}</strong>' in text, page


def test_desk_handover__the_desk_note_starts_the_needs_and_the_first_field_has_focus(
    alice, world, partners
):
    """Walk F19: the note typed at the desk had to be typed again as "what the citizen
    needs", and the form opened with focus on the page, 8 Tab stops before its first field."""
    visit = _serving(world, world.tax)

    page = _finish(alice, world, visit, "referred", note="Intyg föräldrapenning 3 sidor")

    html = page.content.decode()
    needs = re.search(r'<textarea name="h0-needs"[^>]*>([^<]*)</textarea>', html)
    assert needs and needs.group(1).strip() == "Intyg föräldrapenning 3 sidor"
    assert html.count("autofocus") == 1
    assert re.search(r'<[^>]*name="h0-service"[^>]*autofocus', html)
