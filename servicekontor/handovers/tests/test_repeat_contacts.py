"""A handover the agency reports as "needs the citizen again" is a repeat contact in the
statistics: figures, the agency report and the statistics API, within each one's scope."""

from django.urls import reverse

from servicekontor.accounts import api_clients
from servicekontor.catalog.models import Agency
from servicekontor.handovers import services
from servicekontor.handovers.tests.conftest import serve_and_hand_over
from servicekontor.reports.agency_report import agency_month_report
from servicekontor.reports.queries import figures
from servicekontor.reports.scope import EVERYTHING, scope_for_agency

DAY = "2026-11-25"


def _close(handover, outcome):
    services.acknowledge_handover(
        agency_id=handover.agency_id, reference=handover.reference, case_number="1"
    )
    services.record_agency_outcome(
        agency_id=handover.agency_id, reference=handover.reference, outcome=outcome
    )


def test_repeat_contacts__counted_per_agency_on_the_visit_day(world, clock_at, partners):
    again = serve_and_hand_over(world, clock_at, service=partners.tax_docs)
    handled = serve_and_hand_over(world, clock_at, service=partners.tax_docs)
    fk = serve_and_hand_over(world, clock_at, service=world.parental, outcome="referred")
    _close(again, "needs_citizen")
    _close(handled, "handled")
    _close(fk, "needs_citizen")
    day = again.visit_day

    by_agency = figures(scope=EVERYTHING, start=day, end=day, by=("agency",))
    fk_only = figures(scope=scope_for_agency(world.fk.pk), start=day, end=day)
    report = agency_month_report(
        scope=EVERYTHING, agency=world.skatteverket, month=day.replace(day=1)
    )

    assert by_agency[(world.skatteverket.pk,)].repeat_contacts == 1
    assert by_agency[(world.fk.pk,)].repeat_contacts == 1
    assert fk_only[()].repeat_contacts == 1  # Skatteverket's is not in FK's total
    assert report.total["repeat_contacts"] == 1
    assert [r.values["repeat_contacts"] for r in report.offices] == [1]


def test_repeat_contacts__in_the_api_of_the_agencys_client_only(client, world, clock_at, partners):
    _close(serve_and_hand_over(world, clock_at, service=partners.tax_docs), "needs_citizen")
    _c, fk_token = api_clients.create_api_client(agency=world.fk, name="FK")
    _c, tax_token = api_clients.create_api_client(agency=world.skatteverket, name="SKV")

    def rows(token):
        return client.get(
            reverse("statistics-figures"),
            {"from": DAY, "to": DAY, "by": "agency"},
            HTTP_AUTHORIZATION=f"Bearer {token}",
        ).json()["results"]

    assert [(r["group"]["agency"], r["repeat_contacts"]) for r in rows(tax_token)] == [
        ("skatteverket", 1)
    ]
    assert all(r["repeat_contacts"] == 0 for r in rows(fk_token))
    assert Agency.objects.count() == 2
