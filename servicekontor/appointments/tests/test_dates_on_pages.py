"""Dates on the booking pages and in the mails read as each language writes them."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from servicekontor.appointments.tests.conftest import TUESDAY, local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen", "no_rate_limit")]


def _url(language, name, *args):
    # The language is in the path (/en/…); a request leaves its language active in the thread.
    with translation.override(language):
        return reverse(name, args=args)


def _offices_page(client, service, language):
    url = _url(language, "appointments:offices", service.pk)
    return client.get(url, {"q": "Kiruna"}).content.decode()


def test_dates__office_list_short_dates_in_swedish(client, office, service):
    body = _offices_page(client, service, "sv")
    assert "mån 10 mar kl. 10:00" in body
    assert "Mar" not in body


def test_dates__office_list_short_dates_in_english(client, office, service):
    body = _offices_page(client, service, "en")
    assert "Mon 10 Mar, 10:00" in body


def test_dates__week_of_days_in_swedish(client, office, service):
    url = _url("sv", "appointments:times", service.pk, office.code)
    body = client.get(url).content.decode()
    assert "tis 11 mar" in body
    assert not re.search(r"\b(Mon|Tue|Wed|Thu|Fri|Mar)\b", body)


def test_dates__confirmation_mail_and_manage_page_in_swedish(
    client, office, service, django_capture_on_commit_callbacks
):
    start = local(TUESDAY, 10)
    contact_url = _url(
        "sv", "appointments:contact", service.pk, office.code, int(start.timestamp())
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            contact_url,
            {"name": "Anna", "email": "anna@example.org", "consent": "on"},
            follow=True,
        )
    assert response.status_code == 200
    assert "tisdag 11 mars 2025 kl. 10:00–10:30" in response.content.decode()
    assert "tisdag 11 mars 2025 kl. 10:00–10:30" in mail.outbox[0].body
