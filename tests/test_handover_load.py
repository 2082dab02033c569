"""benchmarks/handover_load.py: the form the peak benchmark's officers submit, and the
delivery figures of `peak_load.py --handovers`."""

import datetime as dt
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from django.urls import reverse
from handover_load import delivery_figures, handover_fields

from servicekontor.handovers.models import Handover
from servicekontor.queueing import services
from servicekontor.queueing.models import Visit
from tests.factories import (
    make_agency,
    make_offering,
    make_office,
    make_service,
    make_user,
    open_around_the_clock,
)

T0 = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC)


def _ms(ms: float) -> dt.datetime:
    return T0 + dt.timedelta(milliseconds=ms)


@pytest.mark.django_db
def test_handover_fields__the_desk_finishes_and_hands_over_what_the_bench_submits(client) -> None:
    """As HandoverDesk does it: the finish (desk.js's request) is answered with X-Desk-Form,
    the same POST shows the form, and the fields built from that page finish and hand over."""
    office = open_around_the_clock(make_office(code="bench", counters=1))
    agency = make_agency(code="fk")
    make_service(agency=agency, code="a-other")  # listed first in the form, not chosen
    service = make_service(agency=agency, code="b-visit")
    make_offering(office=office, service=service)
    officer = make_user(offices=[office], agencies=[agency])
    services.sign_in_at_desk(officer=officer, service_point=office.service_points.get())
    visit = services.issue_ticket(office=office, service=service)
    services.call_visit(officer=officer, visit_id=visit.pk)
    services.start_service(officer=officer, visit_id=visit.pk)
    client.force_login(officer)
    url = reverse("desk:act", kwargs={"office_code": office.code})
    finish = {"action": "finish", "visit": visit.pk, "outcome": "referred"}

    asked = client.post(url, finish, headers={"X-Desk-Fragment": "1"})
    page = client.post(url, finish)
    data = handover_fields(page.content.decode(), visit=str(visit.pk), outcome="referred")
    done = client.post(url, data)

    assert asked.status_code == 200 and asked["X-Desk-Form"] == "1"
    assert data is not None and data["h0-service"] == str(service.pk)
    assert done.status_code == 303, done.content.decode()[:2000]
    handover = Handover.objects.get()
    assert (handover.service, handover.outcome) == (service, "referred")
    assert handover.documents == [{"kind": "Payslip", "count": 2}]
    assert Visit.objects.get(pk=visit.pk).state == "finished"


def test_handover_fields__none_without_the_form() -> None:
    assert handover_fields("<p>Finished.</p>", visit="1", outcome="referred") is None


def test_delivery_figures__delays_of_the_runs_ids_and_repeats_counted() -> None:
    created = {"a": _ms(0), "b": _ms(0), "c": _ms(0)}
    arrived = {"a": _ms(40), "b": _ms(100), "old": _ms(5)}  # c not delivered; old: another run

    figures = delivery_figures(created, arrived, verified_posts=3)  # b came twice

    assert (figures.finished, figures.delivered, figures.duplicates) == (3, 2, 1)
    assert sorted(figures.delay.values) == pytest.approx([40.0, 100.0])
    assert figures.delay.p99 == pytest.approx(100.0)


def test_delivery_figures__a_receipt_before_its_handover_is_an_error() -> None:
    with pytest.raises(ValueError, match="before it was created"):
        delivery_figures({"a": _ms(10)}, {"a": _ms(0)}, verified_posts=1)
