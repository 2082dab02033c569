"""The kiosk's ticket in one statement on PostgreSQL (`sql.insert_ticket`): the same rows as
the ORM's inserts it replaces (`services._create_visit` then `services._log`), the same
objects handed back, the same statistics, the numbers still one after another."""

import pytest
from django.db import connection, models
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from servicekontor.core import clock
from servicekontor.queueing import services
from servicekontor.queueing.models import Priority, Visit, VisitEvent, VisitSource, VisitState
from servicekontor.queueing.states import Action
from servicekontor.reports.models import DayFigures, HourFigures, MonthFigures, WaitFigures

pytestmark = pytest.mark.postgres

SKIP = {"id", "visit", "ticket_number"}


def _row(model: type[models.Model], pk: int) -> dict[str, object]:
    return {
        f.attname: getattr(model._default_manager.get(pk=pk), f.attname)
        for f in model._meta.concrete_fields
        if f.name not in SKIP
    }


def _orm_ticket(world, *, service, **fields) -> Visit:
    """What `issue_ticket` wrote before (and writes on SQLite)."""
    now = clock.now()
    visit = services._create_visit(
        office=world.office,
        service=service,
        day=clock.local_date_of(now),
        at=now,
        state=VisitState.WAITING,
        source=fields.pop("source", VisitSource.KIOSK),
        **fields,
    )
    services._log(visit, action=Action.ISSUE, from_state="", at=now, officer=None)
    return visit


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"priority": Priority.ACCESSIBILITY, "notify_contact": " 0701234567 "},
        {"source": VisitSource.DESK, "notify_contact": "a@example.org"},
    ],
)
def test_issue_ticket__one_statement__the_rows_the_orm_wrote(world, fields):
    with translation.override("en"):
        one = services.issue_ticket(office=world.office, service=world.tax, **fields)
        contact = fields.get("notify_contact", "")
        orm = _orm_ticket(
            world,
            service=world.tax,
            priority=fields.get("priority", Priority.NORMAL),
            notify_contact=contact.strip(),
            notify_language="en" if contact.strip() else "",
            **({"source": fields["source"]} if "source" in fields else {}),
        )

    assert _row(Visit, one.pk) == _row(Visit, orm.pk)
    assert (one.ticket_number, orm.ticket_number) == (1, 2)
    (one_event,) = VisitEvent.objects.filter(visit=one)
    (orm_event,) = VisitEvent.objects.filter(visit=orm)
    assert _row(VisitEvent, one_event.pk) == _row(VisitEvent, orm_event.pk)
    # the object handed back is the row as stored
    assert model_to_dict(one) == model_to_dict(Visit.objects.get(pk=one.pk))
    assert not one._state.adding and one.ticket == "S-001"


ROLLUPS = (DayFigures, HourFigures, MonthFigures, WaitFigures)


def _figures() -> dict[str, list[dict[str, object]]]:
    return {
        model.__name__: [
            {k: v for k, v in row.items() if k != "id"} for row in model.objects.values()
        ]
        for model in ROLLUPS
    }


def test_issue_ticket__one_statement__counted_in_the_statistics_like_the_orm_ticket(world):
    services.issue_ticket(office=world.office, service=world.tax)
    after_one = _figures()
    for model in ROLLUPS:
        model.objects.all().delete()
    _orm_ticket(world, service=world.tax)

    assert any(after_one.values())
    assert after_one == _figures()


def test_issue_ticket__one_statement__numbers_one_after_another(world):
    numbers = [services.issue_ticket(office=world.office, service=world.tax).ticket_number]
    numbers.append(_orm_ticket(world, service=world.tax).ticket_number)  # the counter's next
    numbers += [
        services.issue_ticket(office=world.office, service=world.parental).ticket_number
        for _ in range(3)
    ]

    assert numbers == [1, 2, 3, 4, 5]


def test_issue_ticket__one_statement__one_statement_and_the_statistics(world):
    services.issue_ticket(office=world.office, service=world.tax)  # the day's rows exist
    with CaptureQueriesContext(connection) as queries:
        services.issue_ticket(office=world.office, service=world.tax)
    sent = [q["sql"] for q in queries.captured_queries]
    # the ticket, the statistics' upsert, inside the transaction's savepoint
    assert len([s for s in sent if "SAVEPOINT" not in s]) == 2, sent
