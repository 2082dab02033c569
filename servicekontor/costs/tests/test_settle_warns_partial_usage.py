"""Walk F10: settling a month froze usage that covered only part of it without a word.

The confirmation step now says, before anything is frozen, what the month's usage is
missing: figures recorded only from a day within the month (the statistics taken into use),
offices open part of the month (opened or closed within it), visits of the month still open
(their errands and handled time not counted yet). It still lets the admin settle."""

import datetime as dt

import pytest
from django.utils import translation

from servicekontor.core import clock
from servicekontor.costs import services
from servicekontor.costs.models import Settlement
from servicekontor.network.models import Office
from servicekontor.queueing.models import Visit, VisitState
from servicekontor.reports.models import DayFigures
from tests.factories import make_service


@pytest.fixture
def partial_march(world, monkeypatch):
    monkeypatch.setattr(services, "month_usage", lambda *, month: world.usage())
    service = make_service(agency=world.f)
    for day in (12, 20):
        DayFigures.objects.create(
            office=world.kista,
            service=service,
            agency=world.f,
            local_day=dt.date(2025, 3, day),
            served=3,
            errand_visits=3,
        )
    Office.objects.filter(pk=world.lulea.pk).update(opened_on=dt.date(2025, 3, 17))
    now = clock.now()
    Visit.objects.create(
        office=world.kista,
        service=service,
        local_day=dt.date(2025, 3, 31),
        ticket_letter="F",
        ticket_number=7,
        state=VisitState.WAITING,
        arrived_at=now,
        queued_at=now,
    )
    return world


def test_confirmation_says_what_the_usage_is_missing(partial_march, client):
    client.force_login(partial_march.admin)
    page = client.post("/costs/settle/", {"month": "2025-03"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "Användningen för 2025-03 är ofullständig eller pågår:" in body
    assert "Användningen är registrerad från 2025-03-12" in body
    assert "Luleå: öppnade 2025-03-17" in body
    assert "1 besök i månaden pågår fortfarande" in body
    # a warning, not a refusal: the settle button is there, nothing is written yet
    assert "Avräkna och lås 2025-03" in body or 'name="confirm"' in body
    assert not Settlement.objects.exists()
    with translation.override("en"):
        english = client.post("/en/costs/settle/", {"month": "2025-03"}).content.decode()
    assert "The usage of 2025-03 is partial or still running:" in english
    assert "Usage is recorded from 2025-03-12" in english
    assert "1 visit of the month is still open" in english


def test_confirmation_of_a_whole_month_has_no_warning(world, monkeypatch, client):
    monkeypatch.setattr(services, "month_usage", lambda *, month: world.usage())
    service = make_service(agency=world.f)
    for month in (2, 3):
        DayFigures.objects.create(
            office=world.kista,
            service=service,
            agency=world.f,
            local_day=dt.date(2025, month, 3),
            served=1,
        )
    client.force_login(world.admin)
    body = client.post("/costs/settle/", {"month": "2025-03"}).content.decode()
    assert "ofullständig eller pågår" not in body
    # a whole month settles with the confirmation alone
    assert client.post("/costs/settle/", {"month": "2025-03", "confirm": "on"}).status_code == 302
    assert Settlement.objects.filter(month=dt.date(2025, 3, 1)).exists()


def test_partial_month__the_consequence_named_a_choice_offered_and_a_tick_required(
    partial_march, client
):
    """Walk F15: October was settled by the usage of 7–31 October with its whole pools; the
    preview warned but offered no choice and the confirmation alone froze it."""
    client.force_login(partial_march.admin)
    with translation.override("en"):
        page = client.post("/en/costs/settle/", {"month": "2025-03"})
        body = page.content.decode()
        # recorded from 12 March: 20 of 31 days; pools 31 000,00 kr… pro-rated 20/31
        assert page.context["covered_days"] == 20 and page.context["month_days"] == 31
        pools = page.context["preview"].pools_ore
        assert page.context["pro_rated_ore"] == pools * 20 // 31
        assert "by the usage of 20 of its 31 days" in body
        assert "The pools are not pro-rated." in body
        assert "Pro-rate first: lower the month&#x27;s pools" in body or "Pro-rate first" in body
        assert "?month__exact=2025-03-01" in body  # the month's pools, to lower them
        assert 'name="accept_partial"' in body and "can be corrected later" in body
        # the confirmation without the tick settles nothing and says why
        refused = client.post("/en/costs/settle/", {"month": "2025-03", "confirm": "on"})
        assert refused.status_code == 400
        assert "Tick this box to settle with partial usage." in refused.content.decode()
        assert not Settlement.objects.exists()
        done = client.post(
            "/en/costs/settle/", {"month": "2025-03", "confirm": "on", "accept_partial": "on"}
        )
        assert done.status_code == 302
        assert Settlement.objects.filter(month=dt.date(2025, 3, 1)).exists()
