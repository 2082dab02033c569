"""``manage.py settle_costs``: settles from the statistics, refuses twice."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from servicekontor.costs import services
from servicekontor.costs.models import Settlement
from servicekontor.costs.tests.test_settle_warns_partial_usage import partial_march

__all__ = ["partial_march"]


def test_settle_costs__prints_each_agency_then_refuses_again(world, monkeypatch):
    monkeypatch.setattr(services, "month_usage", lambda *, month: world.usage())
    monkeypatch.setattr(services, "month_service_usage", lambda *, month: [])
    out = io.StringIO()
    # the world records no usage of its own (the usage is given): partial, so accepted
    call_command("settle_costs", "--month", "2025-03", "--accept-partial", stdout=out)
    text = out.getvalue()
    assert "forsakringskassan\t50366.67 kr" in text
    assert "2025-03 settled: 152000.00 kr" in text
    with pytest.raises(CommandError, match="avräknad"):
        call_command("settle_costs", "--month", "2025-03", "--accept-partial", stdout=io.StringIO())
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("settle_costs", "--month", "2025-3")


def test_settle_costs__partial_usage_needs_accept_partial_as_the_page_its_tick(
    partial_march, monkeypatch
):
    """Decision 0096 left the command without the page's tick: it froze partial usage without
    a word. Now it refuses the same months the page does, prints what the usage is missing
    and settles them with --accept-partial (one rule: `services.settle_month_accepting`)."""
    monkeypatch.setattr(services, "month_service_usage", lambda *, month: [])
    err = io.StringIO()
    with pytest.raises(CommandError, match="--accept-partial"):
        call_command("settle_costs", "--month", "2025-03", stdout=io.StringIO(), stderr=err)
    assert "Luleå" in err.getvalue()  # opened within the month: one of the gaps
    assert not Settlement.objects.exists()
    out = io.StringIO()
    call_command("settle_costs", "--month", "2025-03", "--accept-partial", stdout=out)
    assert "2025-03 settled: 152000.00 kr" in out.getvalue()
    assert Settlement.objects.filter(month=dt.date(2025, 3, 1)).exists()


def test_settle_page__the_tick_is_the_same_rule(partial_march, client):
    """The page's settlement goes through the same function: confirmed without the tick it
    is refused (400) and nothing is written; with it, it is settled."""
    client.force_login(partial_march.admin)
    refused = client.post("/costs/settle/", {"month": "2025-03", "confirm": "on"})
    assert refused.status_code == 400 and not Settlement.objects.exists()
    done = client.post(
        "/costs/settle/", {"month": "2025-03", "confirm": "on", "accept_partial": "on"}
    )
    assert done.status_code == 302 and Settlement.objects.exists()
