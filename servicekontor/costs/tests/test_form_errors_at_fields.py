"""Every cost form that refuses shows itself again with each error next to its field (read
with it: aria-describedby) and a summary at the top linking to the fields, as the citizens'
forms do; a refusal by the rules (not settled, a bad amount) too, not a page without the
form."""

import datetime as dt
import re

import pytest

from servicekontor.costs import services
from servicekontor.costs.errors import BadInput
from servicekontor.costs.models import CostPool
from servicekontor.costs.tests.conftest import MONTH


@pytest.fixture
def stats_usage(world, monkeypatch):
    """The statistics' usage for the month (as in test_pages)."""
    monkeypatch.setattr(services, "month_usage", lambda *, month: world.usage())
    return world


def _at_field(html: str, field_id: str, said: str) -> None:
    assert f'href="#{field_id}"' in html, "the summary links to the field"
    field = re.search(rf'<(input|select|textarea)[^>]*id="{field_id}"[^>]*>', html)
    assert field is not None, field_id
    assert f"{field_id}_error" in field.group(0), "the field is described by its error"
    error = re.search(rf'id="{field_id}_error"[^>]*>(.*?)</(ul|span)>', html, re.S)
    assert error is not None and said in error.group(1), said


@pytest.mark.parametrize(
    ("url", "data", "field_id", "said"),
    [
        ("/en/costs/settle/", {"month": "2025-13"}, "settle_month", "YYYY-MM"),
        ("/en/costs/correct/", {"month": "2025-03", "reason": ""}, "id_reason", "required"),
        ("/en/costs/staff-cost/", {"month": "x"}, "id_month", "YYYY-MM"),
    ],
)
def test_cost_forms__field_errors_next_to_the_field(stats_usage, client, url, data, field_id, said):
    client.force_login(stats_usage.admin)
    response = client.post(url, data)
    assert response.status_code == 400
    _at_field(response.content.decode(), field_id, said)


def test_correct__month_not_settled__said_at_the_month(stats_usage, client):
    client.force_login(stats_usage.admin)
    response = client.post("/en/costs/correct/", {"month": "2025-03", "reason": "Late invoice"})
    assert 400 <= response.status_code < 500
    html = response.content.decode()
    assert 'name="reason"' in html and "Late invoice" in html  # the form, as sent
    _at_field(html, "id_month", "settled")


def test_correct__pool_of_another_month__said_at_the_pool(stats_usage, client):
    world = stats_usage
    services.settle_month(month=MONTH, by=world.admin, usage=world.usage())
    client.force_login(world.admin)
    response = client.post(
        "/en/costs/correct/",
        {"month": "2025-03", "pool": "999999", "amount_sek": "5", "reason": "Late invoice"},
    )
    assert 400 <= response.status_code < 500
    _at_field(response.content.decode(), "id_pool", "999999")


def test_staff_cost__paid_hours_zero__said_at_the_paid_hours(stats_usage, client):
    client.force_login(stats_usage.admin)
    response = client.post(
        "/en/costs/staff-cost/",
        {"month": "2025-03", "from_desk_log": "on", "paid_hours_per_desk_hour": "0"},
    )
    assert 400 <= response.status_code < 500
    _at_field(response.content.decode(), "id_paid_hours_per_desk_hour", "greater than")


def test_correct__pool_chosen_by_month_office_and_category__no_id_typed(stats_usage, client):
    """Walk finding F11: the correction asked for a "pool number", an id the page never shows.
    The pool is chosen from the settled months' pools by month, office and category."""
    world = stats_usage
    services.settle_month(month=MONTH, by=world.admin, usage=world.usage())
    pool = world.pools["kista-staff"]
    client.force_login(world.admin)
    for prefix in ("", "/en"):
        html = client.get(f"{prefix}/costs/").content.decode()
        assert "Pool number" not in html and "Poolnummer" not in html
        assert '<select name="pool"' in html and '<optgroup label="2025-03">' in html
        option = f'<option value="{pool.pk}">{pool.office.name} · '
        assert option in html
    # An unsettled month's pools are not offered.
    assert all(f'<option value="{p.pk}"' not in html for p in CostPool.objects.exclude(month=MONTH))


def test_correct__pool_of_another_settled_month__named_not_numbered(stats_usage, client):
    world = stats_usage
    services.settle_month(month=MONTH, by=world.admin, usage=world.usage())
    march = world.pools["kista-staff"]
    april = CostPool.objects.create(
        month=dt.date(2025, 4, 1), office=march.office, category=march.category, amount_ore=1
    )
    with pytest.raises(BadInput) as exc:
        services.correct_settled_month(
            month=MONTH, by=world.admin, reason="Late invoice", amounts={april.pk + 1000: 1}
        )
    assert "ingen sådan pool" in str(exc.value.message)
    with pytest.raises(BadInput) as exc:
        services.correct_settled_month(
            month=MONTH, by=world.admin, reason="Late invoice", amounts={april.pk: 1}
        )
    said = str(exc.value.message)
    assert f"2025-04 · {march.office.name}" in said and "2025-03" in said, said
