"""Walk findings: messages that named the wrong fault. Each field's own error says what is
wrong with what was typed; a rule about several fields ("give both, or neither", "give a
date, or …") is not added when a field it reads was given but is itself invalid."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.utils import translation

from servicekontor.appointments.forms import ContactForm
from servicekontor.changeplans.forms import DateRuleForm
from servicekontor.changeplans.models import ChangePlan
from servicekontor.core.forms import PlaceForm
from servicekontor.costs.forms import CorrectForm, WhatIfForm
from servicekontor.handovers.forms import HandoverForm
from servicekontor.messaging.phone import InvalidPhoneNumber, to_e164
from servicekontor.planning.forms import PlanForm
from servicekontor.queueing.forms import TicketForm
from tests.factories import make_agency, make_service

NO_ID = SimpleNamespace(requires_identification=False)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("123", "too_short"),
        ("070-123", "too_short"),
        ("0701234567890123", "too_long"),
        ("070-12a 45 67", "characters"),
        ("🙂 שלום", "characters"),
        ("99999999", "invalid"),
    ],
)
def test_phone__the_reason_a_number_is_refused(typed, reason):
    with pytest.raises(InvalidPhoneNumber) as refused:
        to_e164(typed)
    assert refused.value.reason == reason


@pytest.mark.parametrize(
    ("typed", "said", "not_said"),
    [
        ("123", "too short", "digits only"),
        ("12 34", "too short", "digits only"),
        ("0701234567890123", "too many digits", "digits only"),
        ("070-12a 45 67", "digits only", "too short"),
    ],
)
def test_booking_phone__says_what_is_wrong(typed, said, not_said):
    form = ContactForm({"name": "A", "phone": typed}, service=NO_ID)  # type: ignore[arg-type]
    assert not form.is_valid()
    (error,) = form.errors["phone"]
    assert said in error and not_said not in error
    assert "email" not in form.errors  # the phone was given: no "give an e-mail or a mobile"


@pytest.mark.parametrize(
    ("typed", "mentions"),
    [
        ("🙂 שלום", ("mobile number", "e-mail address")),
        ("hello", ("mobile number", "e-mail address")),
        ("a@b", ("e-mail address",)),
        ("123", ("too short",)),
        ("070-123", ("too short",)),
    ],
)
def test_kiosk_contact__names_both_kinds_when_neither_fits(typed, mentions):
    form = TicketForm({"service": "1", "notify_contact": typed}, services=[])
    form.is_valid()
    text = " ".join(str(e) for e in form.errors["notify_contact"])
    for word in mentions:
        assert word in text, text


def test_kiosk_contact__valid_values_pass():
    for typed, stored in (("070-123 45 67", "+46701234567"), ("a@example.org", "a@example.org")):
        form = TicketForm({"service": "1", "notify_contact": typed}, services=[])
        form.is_valid()
        assert "notify_contact" not in form.errors
        assert form.cleaned_data["notify_contact"] == stored


@pytest.mark.parametrize("language", ["en", "sv"])
@pytest.mark.parametrize("typed", ["inf", "nan", "abc"])
def test_office_finder__longitude_example_is_a_longitude(typed, language):
    with translation.override(language):
        lon = PlaceForm({"lat": "59.33", "lon": typed})
        assert not lon.is_valid()
        assert "18" in lon.errors["lon"][0] and "59" not in lon.errors["lon"][0]
        assert "__all__" not in lon.errors
        lat = PlaceForm({"lat": typed, "lon": "18.07"})
        assert not lat.is_valid()
        assert "59" in lat.errors["lat"][0]


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["2027-02-30", "30/02/2027", "x"])
def test_change_plan_date__only_the_date_error(typed):
    plan = ChangePlan.objects.create(name="P")
    form = DateRuleForm({"on_date": typed, "offset_days": "0"}, plan=plan)
    assert not form.is_valid()
    assert "on_date" in form.errors
    assert "__all__" not in form.errors, form.errors


@pytest.mark.django_db
def test_change_plan_date__none_given_still_asks_for_one():
    plan = ChangePlan.objects.create(name="P")
    form = DateRuleForm({"offset_days": "0"}, plan=plan)
    assert not form.is_valid()
    assert "Give a change a date" in form.errors["__all__"][0]


@pytest.mark.django_db
@pytest.mark.parametrize("count", ["-3", "0", "1.5", "abc", "100"])
def test_handover_document_count__says_it_must_be_a_positive_whole_number(count):
    agency = make_agency()
    service = make_service(agency=agency)
    form = HandoverForm(
        {"doc1_kind": "Pass", "doc1_count": count}, agency=agency, default_service=service
    )
    assert not form.is_valid()
    assert form.errors["doc1_count"] == ["The number must be a positive whole number (1–99)."]
    assert "doc1_kind" not in form.errors  # both were given: no "give both, or neither"


@pytest.mark.django_db
def test_handover_document__one_of_the_two_still_asks_for_both():
    agency = make_agency()
    service = make_service(agency=agency)
    form = HandoverForm({"doc1_count": "2"}, agency=agency, default_service=service)
    assert not form.is_valid()
    assert "Give both the type and the number" in form.errors["doc1_kind"][0]


@pytest.mark.django_db
def test_cost_correction__invalid_amount_has_only_its_own_error():
    form = CorrectForm({"month": "2025-03", "pool": "1", "amount_sek": "-3", "reason": "x"})
    assert not form.is_valid()
    assert "amount_sek" in form.errors and "__all__" not in form.errors


@pytest.mark.django_db
def test_what_if__invalid_visits_has_only_its_own_error():
    form = WhatIfForm(
        {
            "month": "2025-03",
            "action": "join",
            "visits": "-3",
            "minutes_per_visit": "10",
            "start": "2025-03-01",
        }
    )
    assert not form.is_valid()
    assert "visits" in form.errors and "__all__" not in form.errors


@pytest.mark.parametrize(("field", "action"), [("k", "propose"), ("n", "close")])
def test_planning__invalid_count_has_only_its_own_error(field, action):
    form = PlanForm({"action": action, field: "-3"})
    form.is_valid()
    assert len(form.errors.get(field, [])) == 1
