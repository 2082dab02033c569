"""Every SMS and plain-text mail of a booking, rendered as the citizen gets it: an included
fragment adds no line break of its own (the walk: "…, Tuesday 2 December 2026 10:00\n. Booking
code…" in every SMS, and a doubled blank line in every mail)."""

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

TEMPLATES = Path(settings.BASE_DIR) / "templates" / "appointments"
SMS = sorted(p.stem for p in (TEMPLATES / "sms").glob("*.txt") if not p.name.startswith("_"))
MAIL = SMS  # the citizen's mails of the same names (mail/<name>.txt)


def _context() -> dict[str, object]:
    starts_at = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
    office = SimpleNamespace(
        name="Kista",
        name_and_address="Kista, Kistagången 12, Kista",
        street_address="Kistagången 12",
        map_url="https://www.openstreetmap.org/?mlat=59.40316&mlon=17.94479#map=17/59.40316/17.94479",
    )
    booking = SimpleNamespace(
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=20),
        office=office,
        service=SimpleNamespace(name="Pass"),
        video_meeting=SimpleNamespace(active=False),
        get_office_cancel_reason_display="The office is closed that day.",
    )
    return {
        "booking": booking,
        "code": "ABCD-2345",
        "manage_url": "https://example.invalid/sv/book/manage/x/",
        "site_url": "https://example.invalid",
    }


def test_message_templates__all_found():
    assert SMS == ["cancelled", "closure", "confirmation", "moved", "reminder"]
    assert all((TEMPLATES / "mail" / f"{name}.txt").exists() for name in SMS)


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
@pytest.mark.parametrize("template", SMS)
def test_sms__one_line_no_break_before_the_full_stop(template, language):
    with translation.override(language):
        text = render_to_string(f"appointments/sms/{template}.txt", _context())
    body = text.rstrip("\n")  # the file's own last line break (mail.notify strips it)
    assert "\n" not in body, repr(body)
    assert " ." not in body and "\n." not in text
    assert "10:00." in body or "10:00 " in body or "10.00" in body, repr(body)


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
@pytest.mark.parametrize("template", MAIL)
def test_mail_text__no_stray_blank_lines(template, language):
    with translation.override(language):
        text = render_to_string(f"appointments/mail/{template}.txt", _context())
    assert "\n\n\n" not in text, repr(text)
    assert "\n." not in text
    assert not any(line != line.rstrip() for line in text.splitlines()), repr(text)
