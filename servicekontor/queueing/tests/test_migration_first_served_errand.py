"""Migration 0006: stored errands get `first_for_agency` as `write_errands` now sets it (the
first *served* errand of an agency; a part handed on by a transfer is never first), and back."""

import datetime as dt
import importlib

from django.apps import apps

from servicekontor.queueing import services
from servicekontor.queueing.models import Errand

migration = importlib.import_module(
    "servicekontor.queueing.migrations.0006_first_served_errand_for_agency"
)


def _flags(visit) -> list[tuple[str, bool]]:
    rows = Errand.objects.filter(visit=visit).order_by("position")
    return [(e.outcome, e.first_for_agency) for e in rows]


def test_migration__first_served_errand_for_agency__forwards_and_back(world, clock_at):
    visit = services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)
    services.start_service(officer=world.alice, visit_id=visit.pk)
    clock_at.shift(dt.timedelta(minutes=2))
    services.transfer_visit(officer=world.alice, visit_id=visit.pk, service=world.parental)
    services.call_visit(officer=world.alice, visit_id=visit.pk)
    services.start_service(officer=world.alice, visit_id=visit.pk)
    clock_at.shift(dt.timedelta(minutes=2))
    services.record_errand(
        officer=world.alice, visit_id=visit.pk, service=world.tax, outcome="resolved"
    )
    clock_at.shift(dt.timedelta(minutes=2))
    services.finish_visit(officer=world.alice, visit_id=visit.pk, outcome="resolved")
    served = [("transferred", False), ("resolved", True), ("resolved", True)]
    assert _flags(visit) == served

    migration.backwards(apps, None)  # the flags as they were stored before
    assert _flags(visit) == [("transferred", True), ("resolved", False), ("resolved", True)]
    migration.forwards(apps, None)
    assert _flags(visit) == served
