"""A count in a sentence on a page is grouped as every other figure (core.rounding.shown:
sv "1 234" with a no-break space, en "1,234"): a day's free times on the booking pages, the
bookings a registry change cancels, the messages put back in line (the shifts imported: staffing's tests)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import translation

GROUPED = {"sv": "1\xa0234", "en": "1,234"}


@pytest.mark.parametrize("language", ["sv", "en"])
def test_free_times_count__grouped(language: str) -> None:
    from django.http import QueryDict

    from servicekontor.appointments.capacity import Slot
    from servicekontor.appointments.queries import DayFree
    from servicekontor.appointments.templatetags.booking_lists import day_links

    moment = dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC)
    slot = Slot(start=moment, end=moment, capacity=1, free=1)
    day = DayFree(day=dt.date(2026, 3, 10), slots=[slot] * 1234)
    with translation.override(language):
        html = day_links([day], QueryDict(""), day.day, day)
    word = {"sv": "tider", "en": "times"}[language]
    assert f"({GROUPED[language]} {word})" in html


@pytest.mark.parametrize("language", ["sv", "en"])
def test_bookings_cancelled_by_a_registry_change__grouped(language: str, monkeypatch) -> None:
    from servicekontor.network.admin import impact

    said: list[str] = []
    monkeypatch.setattr(impact.messages, "warning", lambda request, text: said.append(text))
    with translation.override(language):
        impact._tell(SimpleNamespace(), [object()] * 1234)  # type: ignore[arg-type, list-item]
    assert said[0].startswith(GROUPED[language] + " "), said


@pytest.mark.parametrize("language", ["sv", "en"])
def test_messages_put_back__grouped(language: str, monkeypatch) -> None:
    from servicekontor.messaging import admin as messaging_admin
    from servicekontor.messaging.models import Message

    monkeypatch.setattr(messaging_admin.services, "retry_now", lambda **kw: 1234)
    monkeypatch.setattr(
        messaging_admin.services, "deliver_due", lambda **kw: SimpleNamespace(sent=1234)
    )
    said: list[str] = []
    model_admin: Any = messaging_admin.MessageAdmin(Message, messaging_admin.admin.site)
    monkeypatch.setattr(model_admin, "message_user", lambda request, text, level: said.append(text))
    queryset = SimpleNamespace(values_list=lambda *a, **kw: [])
    with translation.override(language):
        model_admin.retry(None, queryset)
    assert said[0].startswith(GROUPED[language] + " ")
    assert said[0].count(GROUPED[language]) == 2, said
