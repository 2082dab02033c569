"""One name per measure (docs/statistics.md "One name per measure"): "Visits reached" of an
agency = its arrivals (walk-in + booked) + "Transferred in or errand added", in every row of
the report; an office's and the network's pages count arrivals and call them so; the costs
call their driver served visits."""

import datetime as dt
import types

import pytest
from django.urls import reverse
from django.utils import translation

from servicekontor.costs import exports as cost_exports
from servicekontor.queueing import services
from servicekontor.reports.agency_report import COLUMNS, agency_month_report
from servicekontor.reports.scope import scope_for


@pytest.fixture
def transferred_world(served_world, clock_at):
    """served_world plus a Skatteverket arrival handed on to Försäkringskassan and served
    there: one visit Försäkringskassan reached without an arrival."""
    w = served_world
    visit = services.issue_ticket(office=w.office, service=w.tax)
    services.call_next(officer=w.alice)
    services.start_service(officer=w.alice, visit_id=visit.pk)
    clock_at.shift(dt.timedelta(minutes=2))
    services.transfer_visit(officer=w.alice, visit_id=visit.pk, service=w.parental)
    services.call_visit(officer=w.alice, visit_id=visit.pk)
    services.start_service(officer=w.alice, visit_id=visit.pk)
    clock_at.shift(dt.timedelta(minutes=3))
    services.finish_visit(officer=w.alice, visit_id=visit.pk, outcome="resolved")
    return w


def _adds_up(values):
    return values["visits"] == (
        values["visits_walk_in"] + values["visits_booked"] + values["visits_reached_otherwise"]
    )


def test_report__visits_reached_is_arrivals_plus_transferred_in(transferred_world, people):
    w = transferred_world
    scope = scope_for(people.admin)
    for agency in (w.fk, w.skatteverket):
        report = agency_month_report(scope=scope, agency=agency, month=dt.date(2026, 11, 1))
        for row in [*report.offices, *report.services]:
            assert _adds_up(row.values), (agency.code, row.code, row.values)
        assert _adds_up(report.total)
    fk = agency_month_report(scope=scope, agency=w.fk, month=dt.date(2026, 11, 1)).total
    assert (fk["visits"], fk["visits_walk_in"], fk["visits_reached_otherwise"]) == (2, 1, 1)


def test_report__every_column_has_its_own_name_and_no_bare_visits():
    with translation.override("en"):
        labels = [str(label) for _key, label in COLUMNS]
    assert len(set(labels)) == len(labels)
    assert "Visits" not in labels
    assert {"Visits reached", "Arrivals, walk-in", "Arrivals, booked"} <= set(labels)
    assert "Transferred in or errand added" in labels


def test_report_page_and_csv__the_transferred_in_column(transferred_world, people, client):
    w = transferred_world
    client.force_login(people.admin)
    with translation.override("en"):
        page = client.get(reverse("reports:report", args=[w.fk.code, "2026-11"])).content
        dash = client.get(reverse("reports:agency", args=[w.fk.code])).content.decode()
    assert b"Transferred in or errand added" in page
    assert "Visits reached" in dash
    assert "of which transferred in or errand added" in dash
    assert ">Visits<" not in dash


def test_network_page__arrivals_by_county_not_visits(transferred_world, people, client):
    client.force_login(people.admin)
    with translation.override("en"):
        page = client.get(reverse("reports:network")).content.decode()
    assert "Arrivals (walk-in / booked)" in page
    assert "Visits (walk-in / booked)" not in page
    county = page.split("By county")[-1].split("</table>")[0]
    assert '<th scope="col">Arrivals</th>' in county


def test_costs__served_visits_not_visits():
    report = types.SimpleNamespace(rows=[], totals_by_agency=dict, agencies={}, offices={})
    with translation.override("en"):
        header, _rows = cost_exports.summary_table(report)  # type: ignore[arg-type]
    # the agencies' served visits: a visit for two agencies counts for each (walk F17)
    assert "Served visits per agency" in header and "Visits" not in header
    assert "Served visits" not in header
    assert "Cost per served visit (kr)" in header
