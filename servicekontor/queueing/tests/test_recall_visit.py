import datetime as dt

import pytest
from django.utils import translation

from servicekontor.queueing import services
from servicekontor.queueing.errors import InvalidTransition
from servicekontor.queueing.models import QueueSettings


def test_visit__recall_visit__success_after_the_minimum_delay(world, clock_at):
    visit = services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)
    clock_at.shift(dt.timedelta(seconds=31))

    recalled = services.recall_visit(officer=world.alice, visit_id=visit.pk)

    assert recalled.call_count == 2
    assert recalled.state == "called"
    assert list(recalled.events.values_list("action", flat=True)) == ["issue", "call", "recall"]


def test_visit__recall_visit__too_soon_refused(world, clock_at):
    visit = services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)
    clock_at.shift(dt.timedelta(seconds=10))

    with pytest.raises(InvalidTransition):
        services.recall_visit(officer=world.alice, visit_id=visit.pk)

    visit.refresh_from_db()
    assert visit.call_count == 1


def test_visit__recall_visit__after_max_calls_becomes_no_show(world, clock_at):
    QueueSettings.objects.create(office=world.office, max_calls=2, min_recall_seconds=5)
    visit = services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)
    clock_at.shift(dt.timedelta(seconds=6))
    services.recall_visit(officer=world.alice, visit_id=visit.pk)
    clock_at.shift(dt.timedelta(seconds=6))

    result = services.recall_visit(officer=world.alice, visit_id=visit.pk)

    assert result.state == "no_show"
    assert result.outcome == "no_show"
    assert result.events.latest("id").to_state == "no_show"


def test_visit__mark_no_show__success(world, clock_at):
    visit = services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)
    clock_at.shift(dt.timedelta(seconds=40))

    assert services.mark_no_show(officer=world.alice, visit_id=visit.pk).state == "no_show"


def test_visit__mark_no_show__too_soon_refused(world, clock_at):
    visit = services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)

    with pytest.raises(InvalidTransition):
        services.mark_no_show(officer=world.alice, visit_id=visit.pk)


@pytest.mark.parametrize("max_calls", [1, 2, 3])
def test_visit__recall_visit__delay_applies_to_the_last_call_too(world, clock_at, max_calls):
    """max_calls=3, min_recall_seconds=30: a recall 1 s after the third call is refused
    (not a no-show at once); 30 s after it the visit becomes a no-show."""
    QueueSettings.objects.create(office=world.office, max_calls=max_calls, min_recall_seconds=30)
    visit = services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)
    for _call in range(max_calls - 1):
        clock_at.shift(dt.timedelta(seconds=30))
        services.recall_visit(officer=world.alice, visit_id=visit.pk)
    clock_at.shift(dt.timedelta(seconds=1))

    with pytest.raises(InvalidTransition):
        services.recall_visit(officer=world.alice, visit_id=visit.pk)

    visit.refresh_from_db()
    assert (visit.state, visit.call_count) == ("called", max_calls)
    clock_at.shift(dt.timedelta(seconds=29))
    assert services.recall_visit(officer=world.alice, visit_id=visit.pk).state == "no_show"


@pytest.mark.parametrize(
    ("elapsed", "language", "words"),
    [
        (0.0, "en", "wait 30 more seconds before marking a no-show"),
        (10.5, "en", "wait 20 more seconds before marking a no-show"),  # 19.5 s rounded up
        (29.2, "en", "wait 1 more second before marking a no-show"),
        (10.0, "sv", "vänta 20 sekunder till innan du markerar att besökaren inte kom"),
    ],
)
def test_visit__mark_no_show__too_soon_says_how_long(world, clock_at, elapsed, language, words):
    """Walk finding F4: the no-show refusal says how long to wait, as the recall's does."""
    visit = services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)
    clock_at.shift(dt.timedelta(seconds=elapsed))

    with translation.override(language), pytest.raises(InvalidTransition) as refused:
        services.mark_no_show(officer=world.alice, visit_id=visit.pk)
    with translation.override(language):
        assert words in str(refused.value.message)


@pytest.mark.parametrize(
    ("elapsed", "language", "words"),
    [
        (10.0, "en", "Wait 20 more seconds before calling again."),
        (29.5, "en", "Wait 1 more second before calling again."),
        (10.0, "sv", "Vänta 20 sekunder till innan du ropar upp igen."),
    ],
)
def test_visit__recall_visit__too_soon_says_how_long(world, clock_at, elapsed, language, words):
    visit = services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)
    clock_at.shift(dt.timedelta(seconds=elapsed))

    with translation.override(language), pytest.raises(InvalidTransition) as refused:
        services.recall_visit(officer=world.alice, visit_id=visit.pk)
    with translation.override(language):
        assert str(refused.value.message) == words
