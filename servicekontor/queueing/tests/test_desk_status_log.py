"""The append-only desk-status log follows the desk session and the visits at the desk."""

import datetime as dt

from servicekontor.queueing import services
from servicekontor.queueing.models import DeskStatusEvent


def _log(officer):
    return list(DeskStatusEvent.objects.filter(officer=officer).values_list("status", flat=True))


def test_desk_status_log__sign_in_status_serve_sign_out(world, clock_at):
    visit = services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)
    services.start_service(officer=world.alice, visit_id=visit.pk)
    clock_at.shift(dt.timedelta(minutes=3))
    services.finish_visit(officer=world.alice, visit_id=visit.pk, outcome="resolved")
    services.set_officer_status(officer=world.alice, status="break")
    services.set_officer_status(officer=world.alice, status="break")  # no change: no row
    services.set_officer_status(officer=world.alice, status="idle")
    services.sign_out_of_desk(officer=world.alice)

    assert _log(world.alice) == ["idle", "serving", "idle", "break", "idle", "signed_out"]


def test_desk_status_log__hold_transfer_and_no_show_free_the_desk(world, clock_at):
    a = services.issue_ticket(office=world.office, service=world.tax)
    b = services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)
    services.hold_visit(officer=world.alice, visit_id=a.pk)
    services.call_next(officer=world.alice)
    services.transfer_visit(officer=world.alice, visit_id=b.pk, service=world.parental)
    services.call_next(officer=world.alice)
    clock_at.shift(dt.timedelta(minutes=1))
    services.mark_no_show(officer=world.alice, visit_id=b.pk)

    assert _log(world.alice) == ["idle", "serving", "idle", "serving", "idle", "serving", "idle"]
