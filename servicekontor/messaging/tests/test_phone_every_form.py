"""Every form that takes a phone number reads it as a Swede types it (with or without the 0,
with +46 or 0046 or 46, spaces, dashes) with `phonenumbers`, and says what is wrong with one
it refuses: too short, too long, not a number, or, where text messages go, not a mobile.

The forms: the booking's contact (the citizen's and the desk's), the kiosk ticket's contact,
the handover's contact by phone (to be called: any number) and its reference by SMS."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.utils import translation

from servicekontor.appointments.forms import ContactForm, DeskContactForm
from servicekontor.handovers.models import ContactChannel, ReferenceBy
from servicekontor.handovers.services import HandoverInput, _checked, input_problems
from servicekontor.messaging.phone import InvalidPhoneNumber, to_e164, to_mobile_e164
from servicekontor.queueing.forms import TicketForm
from tests.factories import make_service

NO_ID = SimpleNamespace(requires_identification=False)
MOBILE = "+46701234567"

# How a Swede writes 070-123 45 67.
WRITTEN = [
    "701234567",  # the 0 left out
    "70-123 45 67",
    "070-123 45 67",
    "0701234567",
    "070 123 45 67",
    "+46701234567",
    "+46 70-123 45 67",
    "+46 (0)70-123 45 67",
    "0046 70 123 45 67",
    "46701234567",
    "46 70 123 45 67",
]

# (typed, what the message says) for a number refused for an SMS.
REFUSED = [
    ("070-123 45", "too short"),
    ("070123456", "too short"),  # a mobile number one digit short is not "no such number"
    ("70123456", "too short"),
    ("07012345678", "too many digits"),
    ("070-12a 45 67", "digits only"),
    ("08-123 456 78", "not a mobile number"),  # a fixed line: no text messages
    ("812345678", "not a mobile number"),
]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize("typed", WRITTEN)
def test_phone__every_way_a_swede_writes_a_mobile_number(typed):
    assert to_e164(typed) == MOBILE
    assert to_mobile_e164(typed) == MOBILE


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("070123456", "too_short"),
        ("70123456", "too_short"),
        ("07012345678", "too_long"),
        ("+46 70 123 45 678", "too_long"),
    ],
)
def test_phone__a_mobile_number_with_a_digit_missing_or_extra__says_so(typed, reason):
    with pytest.raises(InvalidPhoneNumber) as refused:
        to_e164(typed)
    assert refused.value.reason == reason


def test_phone__fixed_line__a_number_but_not_for_text_messages():
    assert to_e164("08-123 456 78") == "+46812345678"
    with pytest.raises(InvalidPhoneNumber) as refused:
        to_mobile_e164("08-123 456 78")
    assert refused.value.reason == "not_mobile"


def _booking(typed: str, form_class=ContactForm) -> tuple[bool, str, object]:
    data = {"name": "A", "phone": typed, "language": "sv"}
    form = form_class(data, service=NO_ID)
    valid = form.is_valid()
    return valid, " ".join(form.errors.get("phone", [])), form.cleaned_data.get("phone")


def _kiosk(typed: str) -> tuple[bool, str, object]:
    form = TicketForm({"service": "1", "notify_contact": typed}, services=[])
    form.is_valid()
    errors: list[str] = [str(e) for e in form.errors.get("notify_contact", [])]
    return not errors, " ".join(errors), form.cleaned_data.get("notify_contact")


def _handover_sms(typed: str) -> tuple[bool, str, object]:
    service = make_service()
    data = HandoverInput(
        service=service,
        needs="Help",
        consent=True,
        contact_channel=ContactChannel.LETTER,
        reference_by=ReferenceBy.SMS,
        reference_to=typed,
    )
    said = [m for f, m in input_problems(data, agency_id=service.agency_id) if f == "reference_to"]
    return not said, " ".join(said), None


FORMS = {
    "booking": _booking,
    "desk_booking": lambda typed: _booking(typed, DeskContactForm),
    "kiosk": _kiosk,
    "handover_sms": _handover_sms,
}


@pytest.mark.django_db
@pytest.mark.parametrize("form", list(FORMS))
@pytest.mark.parametrize("typed", WRITTEN)
def test_sms_forms__accept_the_number_as_typed(form, typed):
    valid, said, stored = FORMS[form](typed)
    assert valid, said
    assert stored in (MOBILE, None)


@pytest.mark.django_db
@pytest.mark.parametrize("form", list(FORMS))
@pytest.mark.parametrize(("typed", "said"), REFUSED)
def test_sms_forms__say_what_is_wrong(form, typed, said):
    valid, message, _stored = FORMS[form](typed)
    assert not valid
    if form == "kiosk" and said == "digits only":
        said = "mobile number such as"  # the kiosk's field takes an e-mail address too: both named
    assert said in message, message
    assert "no such" not in message


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "stored", "said"),
    [
        ("701234567", MOBILE, ""),
        ("08-123 456 78", "+46812345678", ""),  # to be called: a fixed line is fine
        ("8-123 456 78", "+46812345678", ""),
        ("070-123 45", "", "too short"),
        ("070-12a 45 67", "", "digits only"),
        ("", "", "Give a phone number"),
    ],
)
def test_handover_contact_by_phone__any_number_read_as_typed(typed, stored, said):
    service = make_service()
    data = HandoverInput(
        service=service,
        needs="Help",
        consent=True,
        contact_channel=ContactChannel.PHONE,
        contact=typed,
    )
    problems = [m for f, m in input_problems(data, agency_id=service.agency_id) if f == "contact"]
    if said:
        assert len(problems) == 1 and said in problems[0], problems
    else:
        assert problems == []
        assert _checked(data, agency_id=service.agency_id, outcome="", problems=[])[1] == stored


@pytest.mark.parametrize("language", ["sv", "en"])
def test_not_a_mobile__said_in_the_active_language(language):
    with translation.override(language):
        _valid, said, _stored = _booking("08-123 456 78")
    assert ("mobilnummer" if language == "sv" else "mobile number") in said
