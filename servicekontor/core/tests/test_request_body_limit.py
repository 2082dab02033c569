"""A body larger than the site reads is refused with 413 and the limit, before anything reads
it (issue 13's "limits that really limit"; probe of 2026-12-02: a 60 MB "roster" was received
whole, stored in a temporary file, and only then refused as "at most 1 MB").

Django limits a form's fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but not its files, so every upload
form was unlimited. The check is on the declared Content-Length: the tests declare a length
larger than the bytes they send, so a view that read the body would see a short one (and
answer something else than 413)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from servicekontor.costs.models import CostPool
from servicekontor.staffing.models import Shift
from tests.factories import make_office, make_user

pytestmark = pytest.mark.django_db

LIMIT = 20_000
# Every form with a file field, and pages with none (the limit is the site's, not a view's).
UPLOAD_URLS = [
    "/staffing/office/{code}/roster/",
    "/planning/",
    "/admin/costs/costpool/import/",
    "/staff/login/",
    "/desk/{code}/act/",
    "/book/check-in/{code}/",
]


@pytest.fixture
def office():
    return make_office()


@pytest.fixture
def small_limit(settings):
    settings.UPLOAD_MAX_REQUEST_BYTES = LIMIT


def _clients(office) -> dict[str, Client]:
    anonymous = Client()
    manager = Client()
    manager.force_login(make_user(role="office_manager", offices=[office]))
    admin = Client()
    admin.force_login(make_user(role="network_admin", is_superuser=True))
    return {"anonymous": anonymous, "manager": manager, "admin": admin}


def _multipart(size: int) -> bytes:
    header = "office,officer,day,start,end,break_start,break_minutes\n"
    content = (header * (size // len(header) + 1)).encode()[:size]
    return encode_multipart(
        BOUNDARY,
        {
            "roster": SimpleUploadedFile("roster.csv", content, "text/csv"),
            "sites_csv": SimpleUploadedFile("sites.csv", content, "text/csv"),
            "file": SimpleUploadedFile("pools.csv", content, "text/csv"),
            "replace": "1",
        },
    )


def _said(response) -> str:
    """The answer's message: the JSON's `detail`, or the HTML page's text."""
    if response["Content-Type"].startswith("application/json"):
        return str(response.json()["detail"])
    return response.content.decode()


@pytest.mark.parametrize("url", UPLOAD_URLS)
@pytest.mark.parametrize("declared", [LIMIT + 1, 10**9, 10**30])
def test_upload_over_the_limit__413_with_the_limit__nothing_read_or_written(
    small_limit, office, url, declared
) -> None:
    body = _multipart(2_000)  # what is sent; the declared length is larger
    for who, client in _clients(office).items():
        response = client.generic(
            "POST",
            url.format(code=office.code),
            body,
            content_type=MULTIPART_CONTENT,
            CONTENT_LENGTH=str(declared),
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.status_code == 413, (who, url, response.status_code)
        page = response.content.decode()
        assert "större än 0,02 MB" in page, page  # the pages' language: Swedish unless /en/
        assert "Inget sparades." in page
    assert not Shift.objects.exists() and not CostPool.objects.exists()


def test_upload_over_the_limit__the_message_in_english_under_en(small_limit, office) -> None:
    response = Client().generic(
        "POST", "/en/book/check-in/kista/", _multipart(LIMIT + 1), content_type=MULTIPART_CONTENT
    )
    assert response.status_code == 413
    assert "larger than 0.02 MB" in response.content.decode()


def test_upload_at_the_limit__read_as_before(small_limit, office) -> None:
    """A body of exactly the limit reaches the view (here: the roster's own "at most 1 MB"
    check passes and the file's rows are read: a 400 with the lines that are wrong)."""
    client = Client()
    client.force_login(make_user(role="office_manager", offices=[office]))
    body = _multipart(100)
    body = body.replace(b'replace"\r\n\r\n1', b'replace"\r\n\r\n' + b"1" * (LIMIT - len(body) + 1))
    assert len(body) == LIMIT
    response = client.generic(
        "POST",
        f"/staffing/office/{office.code}/roster/",
        body,
        content_type=MULTIPART_CONTENT,
    )
    assert response.status_code == 400  # the rows' errors, from the view
    assert "larger than" not in response.content.decode()


def test_the_default_limit_takes_the_planning_pages_two_files(settings) -> None:
    """Two files of the planning form's 5 MB each, with the form around them, fit."""
    from servicekontor.planning.forms import PlanForm

    assert settings.UPLOAD_MAX_REQUEST_BYTES >= 2 * PlanForm.MAX_UPLOAD_BYTES + 100_000


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("PUT", "/api/partner/caseworkers/cw1/availability/"),
        ("POST", "/api/partner/handovers/H-1/acknowledge/"),
        ("POST", "/book/check-in/{code}/"),
    ],
)
def test_json_or_form_body_over_djangos_limit__413_not_a_bare_400(settings, office, method, url):
    """A body that is not an upload has Django's own limit (2.5 MB); over it, the same 413
    with the limit (it was a bare 400, or a 401 before the API read it)."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    for content_type in ("application/json", "application/x-www-form-urlencoded"):
        response = Client().generic(
            method,
            url.format(code=office.code),
            b"{}",
            content_type=content_type,
            CONTENT_LENGTH="50000",
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.status_code == 413, (url, content_type, response.status_code)
        said = _said(response)
        assert "larger than 0.01 MB" in said or "större än 0,01 MB" in said, said
    json_answer = Client().generic(
        method, url.format(code=office.code), b"{}", "application/json", CONTENT_LENGTH="50000"
    )
    if url.startswith("/api/"):
        assert "detail" in json_answer.json()


@pytest.mark.parametrize("declared", ["abc", "-5", "1e9", "١٢", "12 34"])
def test_a_content_length_that_is_no_number__400_not_a_500(office, declared) -> None:
    """Django's `request.body` did int() of it: a 500 under a server that passes it on
    (gunicorn answers 400 itself)."""
    response = Client().generic(
        "POST",
        f"/book/check-in/{office.code}/",
        b"code=123",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=declared,
    )
    assert response.status_code == 400
    assert "Content-Length" in _said(response)


def test_no_content_length__read_as_an_empty_body(office) -> None:
    response = Client().generic("POST", f"/book/check-in/{office.code}/", b"", CONTENT_LENGTH="")
    assert response.status_code < 500 and response.status_code != 413
