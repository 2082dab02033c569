"""Every main page validates with the Nu HTML Checker (vnu.jar), in the states people see:
empty, with results, with form errors, and the staff's screens mid-visit.

The pages are rendered by Django's test client over the real reference data, at a fixed
Wednesday late morning (Kista open), and checked in one run of the checker. Each id that an
`aria-describedby`, `aria-labelledby` or `<label for>` names must exist (the checker says
so too; `test_html_references` says it without Java, faster, with the page's name).
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from servicekontor.core.clock import STOCKHOLM
from tests.html_checker import validate

WEDNESDAY_11 = dt.datetime(2026, 12, 2, 11, 0, tzinfo=STOCKHOLM)
SATURDAY_11 = dt.datetime(2026, 12, 5, 11, 0, tzinfo=STOCKHOLM)


@pytest.fixture(scope="module")
def pages(django_db_setup, django_db_blocker) -> dict[str, str]:
    """name → HTML of every page checked here (rendered once for both tests)."""
    from servicekontor.appointments.models import AppointmentAllocation
    from servicekontor.catalog.models import Agency, Service
    from servicekontor.network.models import Office
    from servicekontor.network.reference_data import load_reference_data
    from servicekontor.queueing import services
    from tests.factories import make_user

    rendered: dict[str, str] = {}

    def keep(name: str, response, *, status: int = 200) -> str:
        assert response.status_code == status, (name, response.status_code)
        html = response.content.decode()
        rendered[name] = html
        return html

    with django_db_blocker.unblock(), time_machine.travel(WEDNESDAY_11, tick=False):
        from django.db import transaction

        with transaction.atomic():  # everything written here is rolled back at the end
            load_reference_data(settings.REFERENCE_DATA_DIR)
            kista = Office.objects.get(code="kista")
            AppointmentAllocation.objects.filter(office=kista).delete()
            AppointmentAllocation.objects.bulk_create(
                AppointmentAllocation(office=kista, weekday=w, hour=h, counters=2)
                for w in range(7)
                for h in range(7, 20)
            )
            service = Service.objects.get(agency__code="forsakringskassan", code="foraldrapenning")
            agencies = list(Agency.objects.all())
            # Eight weeks of arrivals before today in the rollups: the staffing page plans
            # from history that ends yesterday.
            from servicekontor.reports.models import HourFigures

            today = WEDNESDAY_11.date()
            HourFigures.objects.bulk_create(
                HourFigures(
                    office=kista,
                    service=service,
                    agency=service.agency,
                    local_day=today - dt.timedelta(days=i),
                    hour=hour,
                    arrivals=3 + hour % 4,
                )
                for i in range(1, 57)
                if (today - dt.timedelta(days=i)).weekday() < 5
                for hour in range(10, 16)
            )
            officer = make_user(username="officer-v", offices=[kista], agencies=agencies)
            manager = make_user(role="office_manager", offices=[kista], agencies=agencies)
            admin = make_user(role="network_admin", is_staff=True, is_superuser=True)
            desk = kista.service_points.filter(is_active=True).order_by("number").first()
            assert desk is not None
            services.sign_in_at_desk(officer=officer, service_point=desk)

            public = Client()
            keep("finder", public.get("/"))
            keep("finder results", public.get("/?q=Kista"))
            keep("finder errors", public.get("/?lat=abc&lon=200"), status=400)
            keep("office page", public.get("/office/kista/"))
            keep("office page (en)", public.get("/en/office/kista/"))

            keep("booking: services", public.get("/book/"))
            keep("booking: offices", public.get(f"/book/service/{service.pk}/?q=Kista"))
            times = keep("booking: times", public.get(f"/book/service/{service.pk}/kista/"))
            contact_url = re.search(rf'href="(/book/service/{service.pk}/kista/\d+/)"', times)
            assert contact_url is not None, "no free time offered"
            keep("booking: contact", public.get(contact_url[1]))
            keep(
                "booking: contact with errors",
                public.post(contact_url[1], {"name": "", "email": "not-an-address"}),
                status=400,
            )
            booked = public.post(
                contact_url[1], {"name": "Bertil Berg", "email": "bertil@example.org"}
            )
            assert booked.status_code in (302, 303), booked.status_code
            manage = keep("booking: manage", public.get(booked["Location"]))
            reschedule = re.search(r'href="(/book/manage/[^"]+/reschedule/)"', manage)
            if reschedule:
                keep("booking: reschedule", public.get(reschedule[1]))

            keep("kiosk: start", public.get("/queue/kista/"))
            keep("kiosk: services", public.get(f"/queue/kista/{service.agency.code}/"))
            keep(
                "kiosk: services with errors",
                public.post(f"/queue/kista/{service.agency.code}/", {"notify_contact": "x"}),
                status=400,
            )
            ticket = public.post(f"/queue/kista/{service.agency.code}/", {"service": service.pk})
            keep("kiosk: ticket", public.get(ticket["Location"]))
            keep("kiosk: check-in", public.get("/book/check-in/kista/"))
            keep(
                "kiosk: check-in with errors",
                public.post("/book/check-in/kista/", {"code": "nonsense"}),
                status=404,  # no such booking
            )

            staff = Client()
            keep("staff sign-in", staff.get("/staff/login/"))
            keep(
                "staff sign-in with errors",
                staff.post("/staff/login/", {"username": "nobody", "password": "wrong"}),
            )

            staff.force_login(officer)
            keep("staff home (officer)", staff.get("/staff/"))
            keep("desk: choose", staff.get("/desk/"))
            keep("desk: empty", staff.get("/desk/kista/"))
            for _ in range(3):
                services.issue_ticket(office=kista, service=service)
            visit = services.call_next(officer=officer)
            keep("desk: called", staff.get("/desk/kista/"))
            keep("display: calling", public.get("/display/kista/"))
            services.start_service(officer=officer, visit_id=visit.pk)
            keep("desk: serving", staff.get("/desk/kista/"))
            # The handover form: radio buttons and checkboxes (fieldsets with a legend)
            keep(
                "desk: handover form",
                staff.post(
                    "/desk/kista/act/",
                    {"action": "finish", "visit": visit.pk, "outcome": "referred"},
                ),
            )
            services.hold_visit(officer=officer, visit_id=visit.pk)
            keep("desk: parked visit", staff.get("/desk/kista/"))

            staff.force_login(manager)
            keep("live view", staff.get("/desk/kista/live/"))

            staff.force_login(admin)
            keep("staff home (admin)", staff.get("/staff/"))
            keep("my API tokens: a new one shown", staff.post("/staff/api-tokens/", {"name": "x"}))
            keep("my API tokens", staff.get("/staff/api-tokens/"))
            keep("planning", staff.get("/planning/"))
            keep(
                "planning with errors",
                staff.post("/planning/", {"day": "not-a-date", "radius_km": "-1"}),
                status=400,
            )
            keep("statistics: network", staff.get("/statistics/network/"))
            keep("statistics: office", staff.get("/statistics/office/kista/"))
            keep("staffing: office", staff.get("/staffing/office/kista/"))
            keep("costs", staff.get("/costs/"))
            keep("outreach stops by day", staff.get("/staff/outreach/"))
            # A change plan with a saved planning result: the page carries both the add-change
            # form and the openings-from-a-result form (the walk: their ids collided)
            from servicekontor.changeplans import services as plan_services
            from servicekontor.planning.models import Scenario

            Scenario.objects.create(
                name="K=1",
                on_date=WEDNESDAY_11.date(),
                action="propose",
                radius_km=25,
                summary={
                    "opened": [
                        {
                            "code": "1",
                            "name": "Åre",
                            "county": "Jämtlands län",
                            "latitude": 63.4,
                            "longitude": 13.08,
                        }
                    ]
                },
            )
            plan = plan_services.create_plan(user=admin, name="Utbyggnad")
            keep("change plan", staff.get(f"/change-plans/{plan.pk}/"))
            keep("API docs", public.get("/api/docs/"))

            with time_machine.travel(SATURDAY_11, tick=False):
                keep("kiosk: closed", public.get("/queue/kista/"))
            transaction.set_rollback(True)
    return rendered


@pytest.mark.django_db
def test_html__every_main_page_validates(pages: dict[str, str]) -> None:
    problems = validate(pages)

    assert not problems, "Nu HTML Checker errors:\n" + "\n".join(str(p) for p in problems)


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.repeated: list[str] = []  # ids given to a second element
        self.wanted: list[tuple[str, str]] = []  # (attribute, id)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                if value in self.ids:
                    self.repeated.append(value)
                self.ids.add(value)
            elif name in ("aria-describedby", "aria-labelledby", "aria-controls") and value:
                self.wanted += [(name, ref) for ref in value.split()]
            elif name == "for" and tag == "label" and value:
                self.wanted.append((name, value))


@pytest.mark.django_db
def test_html_references__every_named_id_exists(pages: dict[str, str]) -> None:
    missing = []
    for name, html in pages.items():
        parser = _References()
        parser.feed(html)
        missing += [f"{name}: {attr}={ref}" for attr, ref in parser.wanted if ref not in parser.ids]

    assert not missing, "references to ids that do not exist:\n" + "\n".join(missing)


@pytest.mark.django_db
def test_html_ids__unique_on_every_page(pages: dict[str, str]) -> None:
    """Two forms on one page with Django's default ids (id_<field>) give two elements one
    id: a label then names the other form's field (the walk: the change plan page)."""
    repeated = []
    for name, html in pages.items():
        parser = _References()
        parser.feed(html)
        repeated += [f"{name}: id={ref}" for ref in parser.repeated]

    assert not repeated, "ids used twice on a page:\n" + "\n".join(repeated)


def test_html_ids__a_repeated_id_is_found() -> None:
    parser = _References()
    parser.feed('<label for="id_a">A</label><input id="id_a"><input id="id_a">')
    assert parser.repeated == ["id_a"]


def test_html_checker__finds_what_it_should() -> None:
    """The checker run can fail: htmx's bare hx-* attributes, an aria-describedby naming no
    element, and a required select whose first option is a real choice are errors."""
    head = '<!doctype html><html lang="en"><head><title>t</title></head><body>'
    problems = validate(
        {
            "hx": head + '<div hx-get="/x">a</div></body></html>',
            "describedby": head + '<input aria-describedby="nowhere"></body></html>',
            "select": head
            + '<label>a <select required><option value="1">One</option></select></label>'
            + "</body></html>",
            "fine": head + '<div data-hx-get="/x">a</div></body></html>',
        }
    )

    assert {problem.page for problem in problems} == {"hx", "describedby", "select"}
