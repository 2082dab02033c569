"""`make run` works at any hour: the whole sequence of its commands (migrate,
load_reference_data, load_demo, a short simulate, demo_screens) at night, after closing, on a
Saturday and on a public holiday, and again at the same hour (a rerun). Walk finding F1:
load_demo raised OfficeClosed after 17:00, so nothing after it ran."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings

from servicekontor.core.clock import STOCKHOLM
from servicekontor.queueing.demo import DEMO_VISITS
from servicekontor.queueing.models import Visit, VisitState

pytestmark = pytest.mark.django_db(transaction=False)


def _make_run() -> str:
    """The commands of `make run` but runserver, with a one-week simulate of the demo office."""
    out = io.StringIO()
    call_command("migrate", "--noinput", verbosity=0, stdout=out)
    call_command("load_reference_data", stdout=out)
    call_command("load_demo", stdout=out)
    call_command("simulate", "--weeks", "1", "--offices", "kista", "--processes", "1", stdout=out)
    call_command("demo_screens", stdout=out)
    return out.getvalue()


def _waiting() -> int:
    return Visit.objects.filter(office__code="kista", state=VisitState.WAITING).count()


@override_settings(DEMO=True)
@pytest.mark.parametrize(
    "local",
    [
        dt.datetime(2026, 11, 30, 2, 0),  # Monday night
        dt.datetime(2026, 11, 30, 17, 30),  # Monday after closing (Kista closes at 17)
        dt.datetime(2026, 11, 28, 11, 0),  # Saturday
        dt.datetime(2026, 12, 25, 11, 0),  # Juldagen, a public holiday (a Friday)
        dt.datetime(2027, 1, 6, 11, 0),  # Trettondedag jul, a Wednesday
    ],
    ids=["02:00", "17:30", "saturday", "christmas-day", "epiphany"],
)
def test_make_run__office_closed__every_command_runs_and_says_it_is_closed(local) -> None:
    with time_machine.travel(local.replace(tzinfo=STOCKHOLM), tick=False):
        output = _make_run()
        assert _waiting() == 0  # no made-up queue outside the opening hours
        assert "is closed now" in output and "it opens" in output
        assert "servicekontor is ready at" in output  # demo_screens ran to the end
        if local.hour == 17:
            _make_run()  # a rerun the same evening (once: the sequence takes a minute)
    assert _waiting() == 0


@override_settings(DEMO=True)
def test_make_run__office_open__six_waiting_since_opening_at_the_earliest() -> None:
    opens = dt.datetime(2026, 11, 30, 9, 0, tzinfo=STOCKHOLM)  # Kista opens at 09 on Mondays
    with time_machine.travel(opens + dt.timedelta(minutes=10), tick=False):
        output = _make_run()
    assert _waiting() == DEMO_VISITS
    assert f"{DEMO_VISITS} citizens are waiting" in output
    arrivals = Visit.objects.filter(office__code="kista", state=VisitState.WAITING)
    assert min(v.arrived_at for v in arrivals) >= opens
