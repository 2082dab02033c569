"""Importing pools from CSV and Excel: every bad row named, nothing half imported."""

import io

import pytest
from openpyxl import Workbook

from servicekontor.costs import services
from servicekontor.costs.models import CostPool, PoolOfficeShare, PoolShare
from servicekontor.costs.pool_import import ImportFailed, import_pools

from .conftest import MONTH

HEADER = "month,office,category,name,amount_sek,driver,mix,fixed_shares,office_driver,office_shares,note\n"


def _csv(*rows: str) -> bytes:
    return ("\ufeff" + HEADER + "\n".join(rows) + "\n").encode()


def test_import__csv_creates_and_replaces(world):
    data = _csv(
        '2025-04,kista,lokaler,Hyra,"30 000,50",mix,minutes:50;fixed:50,'
        "forsakringskassan:1;skatteverket:2,,,",
        "2025-04,,it,Drift,12000,,,,fixed,kista:3;lulea:1,",
        "2025-03,kista,staff,,100000,,,,,,",  # the existing Kista staff pool of March
    )
    result = import_pools(data=data, filename="pools.csv")
    assert (result.created, result.updated) == (2, 1)
    rent = CostPool.objects.get(name="Hyra")
    assert rent.amount_ore == 3_000_050
    assert (rent.minutes_weight, rent.fixed_weight, rent.driver) == (50, 50, "mix")
    assert dict(PoolShare.objects.filter(pool=rent).values_list("agency__code", "weight")) == {
        "forsakringskassan": 1,
        "skatteverket": 2,
    }
    it = CostPool.objects.get(name="Drift")
    assert it.office is None
    assert dict(PoolOfficeShare.objects.filter(pool=it).values_list("office__code", "weight")) == {
        "kista": 3,
        "lulea": 1,
    }
    assert CostPool.objects.get(pk=world.pools["kista-staff"].pk).source == "imported"


def test_import__bad_rows_are_each_named_and_nothing_is_written(world):
    before = CostPool.objects.count()
    data = _csv(
        "2025-04,kista,staff,,100,,,,,,",  # good
        "2025-13,kista,staff,x,100,,,,,,",  # bad month
        "2025-04,nowhere,rent,,12.345,,,,,,",  # office, category, amount
        "2025-04,kista,staff,y,100,fixed,,,,,",  # fixed without shares
        "2025-04,kista,staff,,50,,,,,,",  # duplicate of line 2
    )
    with pytest.raises(ImportFailed) as exc:
        import_pools(data=data, filename="pools.csv")
    got = {(e.line, e.column) for e in exc.value.errors}
    assert got == {
        (3, "month"),
        (4, "office"),
        (4, "category"),
        (4, "amount_sek"),
        (5, "fixed_shares"),
        (6, "name"),
    }
    assert "Rad 3, kolumn ”month”: Skriv månaden som ÅÅÅÅ-MM" in str(exc.value.errors[0])
    assert CostPool.objects.count() == before


def test_import__settled_month_refused(world):
    services.settle_month(month=MONTH, by=world.admin, usage=world.usage())
    with pytest.raises(ImportFailed) as exc:
        import_pools(data=_csv("2025-03,kista,staff,extra,100,,,,,,"), filename="p.csv")
    assert exc.value.errors[0].column == "month"
    assert "rättelse" in exc.value.errors[0].message


def test_import__missing_column(world):
    with pytest.raises(ImportFailed) as exc:
        import_pools(data=b"month,office,category\n2025-04,kista,staff\n", filename="p.csv")
    assert [(e.line, e.column) for e in exc.value.errors] == [(1, "amount_sek")]


def test_import__excel(world):
    wb = Workbook()
    ws = wb.active
    ws.append(["month", "office", "category", "amount_sek", "driver"])
    ws.append(["2025-04", "lulea", "premises", 8000.5, "visits"])
    ws.append(["2025-04", "kista", "premises", "oops", ""])
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(ImportFailed) as exc:
        import_pools(data=buf.getvalue(), filename="p.xlsx")
    assert [(e.line, e.column) for e in exc.value.errors] == [(3, "amount_sek")]
    ws.delete_rows(3)
    buf = io.BytesIO()
    wb.save(buf)
    import_pools(data=buf.getvalue(), filename="p.xlsx")
    assert CostPool.objects.get(office=world.lulea, month="2025-04-01").amount_ore == 800_050


def test_import__admin_page_shows_errors_with_400(world, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.admin)
    response = client.post(
        "/admin/costs/costpool/import/",
        {"file": SimpleUploadedFile("p.csv", _csv("2025-04,kista,staff,,abc,,,,,,"))},
    )
    assert response.status_code == 400
    assert "amount_sek" in response.content.decode()
    response = client.post(
        "/admin/costs/costpool/import/",
        {"file": SimpleUploadedFile("p.csv", _csv("2025-04,kista,staff,,1,,,,,,"))},
    )
    assert response.status_code == 302
