"""The count of shifts imported is grouped as every other figure (sv "1 234", en "1,234")."""

from __future__ import annotations

import pytest

GROUPED = {"sv": "1\xa0234", "en": "1,234"}


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_shifts_imported__grouped(client, history, people, monkeypatch, prefix: str) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from servicekontor.staffing import services

    monkeypatch.setattr(services, "import_roster", lambda **kw: 1234)
    client.force_login(people.manager)
    url = prefix + reverse("staffing:office_roster", args=[history.office.code])
    upload = SimpleUploadedFile("roster.csv", b"office\n", content_type="text/csv")
    page = client.post(url, {"roster": upload}, follow=True).content.decode()
    language = "en" if prefix else "sv"
    words = {"sv": "arbetspass importerades.", "en": "shifts imported."}[language]
    assert f"{GROUPED[language]} {words}" in page
