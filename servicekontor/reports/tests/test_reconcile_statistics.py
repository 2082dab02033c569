"""manage.py reconcile_statistics: reports differences, repairs with --fix; occupancy."""

import datetime as dt

import pytest
from django.core.management import call_command

from servicekontor.reports.models import DayFigures, OccupancyFigures
from servicekontor.reports.queries import occupancy
from servicekontor.reports.scope import EVERYTHING


def test_reconcile__agrees_then_finds_a_tampered_row(served_world, capsys):
    call_command("reconcile_statistics", "--from", "2026-11-25", "--to", "2026-11-25")
    assert "0 differences" in capsys.readouterr().out

    DayFigures.objects.filter(service=served_world.tax).update(served=99)
    with pytest.raises(SystemExit) as exit_:
        call_command("reconcile_statistics", "--from", "2026-11-25", "--to", "2026-11-25")
    assert exit_.value.code == 1
    assert "served: stored 99, log 2" in capsys.readouterr().out

    call_command("reconcile_statistics", "--from", "2026-11-25", "--to", "2026-11-25", "--fix")
    call_command("reconcile_statistics", "--from", "2026-11-25", "--to", "2026-11-25")
    assert "0 differences" in capsys.readouterr().out.splitlines()[-1]


def test_reconcile__warns_when_the_period_reaches_purged_errands(served_world, capsys):
    call_command("reconcile_statistics", "--from", "2026-11-25", "--to", "2026-11-25")
    assert "interpreter language" not in capsys.readouterr().err

    call_command("reconcile_statistics", "--from", "2026-09-01", "--to", "2026-09-01")
    assert "interpreter language blanked" in capsys.readouterr().err


def test_occupancy__today_live_then_rolled_up(served_world, clock_at):
    today = dt.date(2026, 11, 25)
    live = occupancy(scope=EVERYTHING, start=today, end=today)
    office = live[(served_world.office.pk,)]
    # alice serves from each call to its finish: 5, 5 and 9 minutes
    assert office.serving_seconds == (5 + 5 + 9) * 60
    assert office.signed_in_seconds > office.serving_seconds

    clock_at.move_to(dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC))
    call_command("roll_up_occupancy")
    stored = OccupancyFigures.objects.get(office=served_world.office, local_day=today)
    assert stored.serving_seconds == office.serving_seconds
    # a closed day is read from the rollup: alice's open session was cut at midnight
    after = occupancy(scope=EVERYTHING, start=today, end=today)[(served_world.office.pk,)]
    assert after.serving_seconds == office.serving_seconds
    assert after.signed_in_seconds == stored.signed_in_seconds
