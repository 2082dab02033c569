"""The check-in kiosk says what the ticket kiosk says when the office is closed (the same
`registry_cache.open_now` and the same words; walk finding 2026-12-01)."""

import datetime as dt

import pytest
import time_machine

from servicekontor.core import clock

pytestmark = pytest.mark.django_db
MONDAY = dt.date(2025, 3, 10)  # the office: Mon–Fri 10–16


@pytest.mark.parametrize(
    ("hour", "closed_words"),
    [
        (8, "The office is closed now, and no queue tickets are given. It opens today at 10:00."),
        (12, None),
        (
            21,
            "The office is closed now, and no queue tickets are given. It opens tomorrow at 10:00.",
        ),
    ],
)
def test_check_in__closed__the_kiosks_words(client, office, hour, closed_words):
    with time_machine.travel(clock.local_datetime(MONDAY, dt.time(hour)), tick=False):
        check_in = client.get(f"/en/book/check-in/{office.code}/").content.decode()
        kiosk = client.get(f"/en/queue/{office.code}/").content.decode()
    if closed_words is None:
        assert "closed now" not in check_in and "closed now" not in kiosk
    else:
        assert closed_words in check_in
        assert closed_words in kiosk
