"""Purging old visits keeps the statistics' rollups."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from servicekontor.queueing import services
from servicekontor.queueing.models import Errand, Visit, VisitEvent


def test_purge_visit_log__old_visits_go_rollups_stay(world, clock_at):
    from servicekontor.reports.models import DayFigures

    visit = services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)
    services.start_service(officer=world.alice, visit_id=visit.pk)
    services.finish_visit(officer=world.alice, visit_id=visit.pk, outcome="resolved")
    waiting = services.issue_ticket(office=world.office, service=world.tax)
    clock_at.move_to(dt.datetime(2028, 1, 10, 12, 0, tzinfo=dt.UTC))

    call_command("purge_visit_log", "--before", "2027-01-01", "--batch", "1")

    assert list(Visit.objects.values_list("pk", flat=True)) == [waiting.pk]  # open: kept
    assert not VisitEvent.objects.filter(visit_id=visit.pk).exists()
    assert not Errand.objects.exists()
    assert DayFigures.objects.get(service=world.tax).served == 1


def test_purge_visit_log__refuses_to_purge_the_last_year(world):
    with pytest.raises(CommandError):
        call_command("purge_visit_log", "--before", "2026-06-01")
