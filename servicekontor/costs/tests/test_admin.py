"""The costs admin: pools editable until their month is settled, then read-only."""

from servicekontor.costs import services
from servicekontor.costs.models import CostPool

from .conftest import MONTH


def _change_url(pool):
    return f"/admin/costs/costpool/{pool.pk}/change/"


def test_admin__pool_of_open_month_is_editable(world, client):
    client.force_login(world.admin)
    pool = world.pools["kista-staff"]
    page = client.get(_change_url(pool))
    assert page.status_code == 200
    assert 'name="amount_ore"' in page.content.decode()
    assert client.get("/admin/costs/costpool/").status_code == 200


def test_admin__pool_of_settled_month_is_read_only(world, client):
    services.settle_month(month=MONTH, by=world.admin, usage=world.usage())
    client.force_login(world.admin)
    pool = world.pools["kista-staff"]
    page = client.get(_change_url(pool))
    assert page.status_code == 200
    assert 'name="amount_ore"' not in page.content.decode()
    response = client.post(
        _change_url(pool),
        {"month": "2025-03-01", "category": "staff", "amount_ore": "1", "driver": "minutes"},
    )
    assert response.status_code == 403
    assert CostPool.objects.get(pk=pool.pk).amount_ore == 10_000_000
    assert (
        client.post(f"/admin/costs/costpool/{pool.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert CostPool.objects.filter(pk=pool.pk).exists()


def test_admin__officer_cannot_enter(world, client):
    client.force_login(world.officer)
    assert client.get("/admin/costs/costpool/").status_code == 302  # to the admin login


def test_admin__pool_amount_in_the_admins_language(world):
    """The list's amount follows the language like every other figure (it was always
    Swedish: "100 000,00" on an English page)."""
    from django.contrib import admin
    from django.utils import translation

    from servicekontor.costs.admin import CostPoolAdmin

    pool = world.pools["kista-staff"]
    model_admin = admin.site._registry[CostPool]
    assert isinstance(model_admin, CostPoolAdmin)
    with translation.override("en"):
        assert model_admin.amount_kr(pool) == "100,000.00"
    with translation.override("sv"):
        assert model_admin.amount_kr(pool) == "100\xa0000,00"
