"""Walk F28's kind: a cost report whose period has no cost at all said "Settled months
included: none" above tables of zeros, and nothing about why; it now says no costs are
recorded (not a month waiting to be settled, which has its own note)."""

import pytest

from tests.factories import make_user

pytestmark = pytest.mark.django_db

WHY = "No costs are recorded for this period (no cost pool)"


def test_report_of_a_period_without_costs__says_why_its_tables_are_empty(client):
    client.force_login(make_user(role="network_admin"))
    html = client.get("/en/costs/report/?year=2025&month=10").content.decode()
    assert WHY in html
    swedish = client.get("/costs/report/?year=2025&month=10").content.decode()
    assert "Inga kostnader är registrerade för perioden" in swedish
