"""The cost pools' .xlsx import checks the archive before openpyxl unpacks anything: a small
file that unpacks to gigabytes (a zip bomb), or a workbook of thousands of parts, is refused
with the reason, on the admin's form (400) and in `import_pools`, in Swedish and English."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.utils import translation
from django.utils.datastructures import MultiValueDict
from openpyxl import Workbook

from servicekontor.core.archives import Limits, UnsafeArchive, check_zip
from servicekontor.costs import pool_import
from servicekontor.costs.models import CostPool
from servicekontor.costs.pool_import import ImportFailed, import_pools

IMPORT = "/admin/costs/costpool/import/"
FIVE_MB = 5 * 1024 * 1024  # pool_import.MAX_FILE_BYTES


def _workbook() -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["month", "office", "category", "amount_sek"])
    ws.append(["2025-04", "kista", "premises", 100])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _bomb(unpacked: int = 8 * 1024 * 1024) -> bytes:
    """A zip whose sheet is `unpacked` bytes of one character: a few kB packed."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b" " * unpacked)
    return buf.getvalue()


def _many_parts(n: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(n):
            z.writestr(f"xl/part{i}.xml", "<x/>")
    return buf.getvalue()


@pytest.fixture
def no_openpyxl(monkeypatch):
    """openpyxl must not be reached with a refused file."""

    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl opened a file the archive check should refuse")

    monkeypatch.setattr(pool_import, "load_workbook", refuse)


def test_check_zip__a_real_workbook_passes() -> None:
    check_zip(_workbook())


@pytest.mark.parametrize(
    ("data", "limits", "words"),
    [
        (_bomb(), Limits(), "times its size"),
        (
            _bomb(3 * 1024 * 1024),
            Limits(total_bytes=2 * 1024 * 1024, ratio=10**6),
            "unpacks to 3.0 MB",
        ),
        (_many_parts(201), Limits(), "holds 201 parts; at most 200"),
        (b"PK\x03\x04 not a zip", Limits(), "not a readable .xlsx"),
    ],
)
def test_check_zip__refused_with_the_reason(data: bytes, limits: Limits, words: str) -> None:
    with translation.override("en"), pytest.raises(UnsafeArchive) as exc:
        check_zip(data, limits=limits)
    assert words in str(exc.value)


def test_check_zip__the_reason_in_swedish() -> None:
    with translation.override("sv"), pytest.raises(UnsafeArchive) as exc:
        check_zip(_bomb())
    assert "gånger sin storlek" in str(exc.value)
    with translation.override("sv"), pytest.raises(UnsafeArchive) as exc:
        check_zip(_many_parts(201))
    assert "201 delar" in str(exc.value)


def test_import__a_zip_bomb_refused_before_openpyxl(world, no_openpyxl) -> None:
    before = CostPool.objects.count()
    with translation.override("en"), pytest.raises(ImportFailed) as exc:
        import_pools(data=_bomb(), filename="pools.xlsx")
    assert "times its size" in str(exc.value.errors[0])
    assert CostPool.objects.count() == before


def test_import__admin_form_refuses_a_zip_bomb_with_400(world, client, no_openpyxl) -> None:
    """The admin has no language prefix: it speaks Swedish (the English words are
    import_pools' above)."""
    client.force_login(world.admin)
    response = client.post(IMPORT, {"file": SimpleUploadedFile("pools.xlsx", _bomb())})
    assert response.status_code == 400
    assert "gånger sin storlek" in response.content.decode()


def test_import__admin_form_refuses_a_file_too_large(world, client, no_openpyxl) -> None:
    client.force_login(world.admin)
    big = b"x" * (FIVE_MB + 1)
    response = client.post(IMPORT, {"file": SimpleUploadedFile("pools.csv", big)})
    assert response.status_code == 400
    assert "högst 5 MB" in response.content.decode()
    assert CostPool.objects.filter(month="2025-04-01").count() == 0


def test_import__admin_form_takes_a_real_workbook(world, client) -> None:
    client.force_login(world.admin)
    response = client.post(IMPORT, {"file": SimpleUploadedFile("pools.xlsx", _workbook())})
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("language", "name", "data", "words"),
    [
        ("en", "pools.xlsx", _bomb(), "times its size"),
        ("sv", "pools.xlsx", _bomb(), "gånger sin storlek"),
        ("en", "pools.csv", b"x" * (FIVE_MB + 1), "at most 5 MB"),
        ("sv", "pools.csv", b"x" * (FIVE_MB + 1), "högst 5 MB"),
    ],
)
def test_import_form__refuses_in_each_language(
    language: str, name: str, data: bytes, words: str, no_openpyxl
) -> None:
    from servicekontor.costs.admin import ImportForm

    with translation.override(language):
        upload: UploadedFile = SimpleUploadedFile(name, data)
        files = MultiValueDict({"file": [upload]})
        form = ImportForm(data={}, files=files)
        assert not form.is_valid()
        assert words in " ".join(str(e) for e in form.errors["file"])
