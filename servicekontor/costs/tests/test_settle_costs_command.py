"""``manage.py settle_costs``: settles from the statistics, refuses twice."""

import io

import pytest
from django.core.management import CommandError, call_command

from servicekontor.costs import services


def test_settle_costs__prints_each_agency_then_refuses_again(world, monkeypatch):
    monkeypatch.setattr(services, "month_usage", lambda *, month: world.usage())
    monkeypatch.setattr(services, "month_service_usage", lambda *, month: [])
    out = io.StringIO()
    call_command("settle_costs", "--month", "2025-03", stdout=out)
    text = out.getvalue()
    assert "forsakringskassan\t50366.67 kr" in text
    assert "2025-03 settled: 152000.00 kr" in text
    with pytest.raises(CommandError, match="avräknad"):
        call_command("settle_costs", "--month", "2025-03", stdout=io.StringIO())
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("settle_costs", "--month", "2025-3")
