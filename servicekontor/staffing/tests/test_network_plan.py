"""The network view: FTE needed against available per office, county and month; admins only."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from servicekontor.staffing import queries
from tests.csv_files import read_csv

pytestmark = pytest.mark.django_db


def test_network_plan__office_with_history__twelve_months(history, clock_at):
    plan = queries.network_plan(year=2027)
    rows = [r for r in plan.rows if r.office == history.office]
    assert [r.month for r in rows] == list(range(1, 13))
    assert all(r.fte_needed > 0 for r in rows)
    assert history.other_office in plan.skipped
    assert (history.office.county, 1) in plan.by_county


def test_network_plan__higher_service_level__more_fte(history, clock_at):
    low = queries.network_plan(year=2027, what_if=queries.WhatIf(service_level=(0.5, 15)))
    high = queries.network_plan(year=2027, what_if=queries.WhatIf(service_level=(0.95, 5)))
    assert sum(r.fte_needed for r in high.rows) > sum(r.fte_needed for r in low.rows)


def test_network_page__admin_200_manager_403(client, history, people, clock_at):
    url = reverse("staffing:network")
    client.force_login(people.admin)
    assert client.get(url, {"year": "2027"}).status_code == 200
    csv = client.get(reverse("staffing:network_csv"), {"year": "2027"})
    assert len(read_csv(csv.content)) > 1
    assert 'filename="staffing-network-2027.csv"' in csv["Content-Disposition"]
    client.force_login(people.manager)
    refused = client.get(reverse("staffing:network").replace("/staffing/", "/en/staffing/"))
    assert refused.status_code == 403
    # The heading says what happened, not "Statistics" (walk finding, session 11)
    assert "<h1>Not allowed</h1>" in refused.content.decode()
    client.force_login(people.admin)
    assert client.get(url, {"year": "soon"}).status_code == 400


def test_staffing_network_command(history, clock_at):
    out = io.StringIO()
    call_command("staffing", "network", "--year", "2027", "--volume", "10", stdout=out)
    assert "1 offices planned" in out.getvalue()


def test_network_page__wape_per_office_and_overall(client, history, people, clock_at):
    client.force_login(people.admin)
    body = client.get(reverse("staffing:network"), {"year": "2027"}).content.decode()
    assert history.office.name in body  # names, not codes, on the page
    plan = queries.network_plan(year=2027)
    overall = plan.overall_wape()
    assert overall is not None
    model, naive = overall
    bt = plan.backtests[history.office.pk]
    assert (model, naive) == (bt.wape_model, bt.wape_naive)  # one office: the same


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"year": "9999"}, "year"),
        ({"volume": "-100"}, "volume"),
        ({"add_agency": "nope"}, "add_agency"),
    ],
)
def test_network_page__bad_input__form_kept_with_the_error_at_its_field(
    client, world, people, query, field
):
    client.force_login(people.admin)
    with translation.override("en"):
        response = client.get(reverse("staffing:network"), query)
    body = response.content.decode()
    assert response.status_code == 400
    assert "Staffing of the network" in body and f'id="{field}-error"' in body
    if field != "add_agency":  # a select: an unknown code has no option to keep
        assert f'value="{query[field]}"' in body


def test_network_plan__office_without_staff_recorded__not_recorded_not_zero(
    client, history, people, clock_at
):
    """Walk F24: "0,0 finns" for 20 of 21 counties because no officer was recorded there."""
    from servicekontor.accounts.models import OfficeAssignment

    with_staff = queries.network_plan(year=2027)
    row = next(r for r in with_staff.rows if r.office == history.office)
    assert row.fte_available is not None and row.fte_available > 0
    assert with_staff.by_county[(history.office.county, 1)][1] == row.fte_available

    OfficeAssignment.objects.filter(office=history.office).delete()
    plan = queries.network_plan(year=2027)
    rows = [r for r in plan.rows if r.office == history.office]
    assert all(r.fte_available is None and r.difference is None for r in rows)
    assert plan.by_county[(history.office.county, 1)][1] is None
    assert all(trained is None for _needed, trained in plan.competence.values())
    assert plan.offices_without_staff == [history.office]
    client.force_login(people.admin)
    with translation.override("en"):
        body = client.get(reverse("staffing:network"), {"year": "2027"}).content.decode()
    assert 'id="staff-not-recorded"' in body
    assert "1 of 1 offices planned has no officer recorded" in body
    assert "<td>not recorded</td>" in body
    assert "<td>2027-01</td>" in body  # the county table's month with its year
    csv = read_csv(client.get(reverse("staffing:network_csv"), {"year": "2027"}).content)
    assert csv[1][4] == "" and csv[1][5] == ""  # empty, not 0, in the file
    with translation.override("sv"):
        body = client.get(reverse("staffing:network"), {"year": "2027"}).content.decode()
    assert "1 av 1 planerade kontor har ingen handläggare registrerad" in body
    assert "<td>inte registrerat</td>" in body


def test_network_page__says_which_offices_and_which_staff_measure(client, history, people):
    """Walk F22: 226,8 FTE on a change plan, 201,7 on the staffing page, 66/65/77/79 offices:
    each page says what it counts."""
    client.force_login(people.admin)
    with translation.override("en"):
        body = client.get(reverse("staffing:network"), {"year": "2027"}).content.decode()
    assert 'id="what-is-counted"' in body
    assert "the 1 office operating on some day of 2027 with statistics" in body
    assert "(1 more without history are not planned" in body
    assert "A change plan’s “Staff needed” is another measure" in body
