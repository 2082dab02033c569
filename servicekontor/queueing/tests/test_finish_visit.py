import pytest

from servicekontor.queueing import services
from servicekontor.queueing.errors import InvalidTransition, NotAllowed, NotOffered
from servicekontor.queueing.models import VisitEvent


def _serving(world):
    visit = services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)
    return services.start_service(officer=world.alice, visit_id=visit.pk)


def test_visit__start_service__success(world):
    visit = _serving(world)

    assert visit.state == "serving"
    assert visit.events.latest("id").action == "start"


def test_visit__finish_visit__success(world):
    visit = _serving(world)

    done = services.finish_visit(
        officer=world.alice, visit_id=visit.pk, outcome="meeting_booked", note=" follow-up "
    )

    assert done.state == "finished"
    assert done.outcome == "meeting_booked"
    assert done.note == "follow-up"
    event = VisitEvent.objects.filter(visit=visit).latest("id")
    assert (event.from_state, event.to_state, event.outcome) == (
        "serving",
        "finished",
        "meeting_booked",
    )


def test_visit__finish_visit__not_being_served_is_409_and_changes_nothing(world):
    visit = services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)

    with pytest.raises(InvalidTransition) as excinfo:
        services.finish_visit(officer=world.alice, visit_id=visit.pk, outcome="resolved")

    assert excinfo.value.http_status == 409
    visit.refresh_from_db()
    assert visit.state == "called"
    assert visit.outcome == ""
    assert visit.events.count() == 2


def test_visit__finish_visit__system_outcome_refused(world):
    visit = _serving(world)

    with pytest.raises(NotOffered):
        services.finish_visit(officer=world.alice, visit_id=visit.pk, outcome="no_show")


def test_visit__finish_visit__someone_elses_visit_refused(world):
    visit = _serving(world)

    with pytest.raises(NotAllowed):
        services.finish_visit(officer=world.bob, visit_id=visit.pk, outcome="resolved")


def test_visit__finish_visit__twice_refused(world):
    visit = _serving(world)
    services.finish_visit(officer=world.alice, visit_id=visit.pk, outcome="resolved")

    with pytest.raises(InvalidTransition):
        services.finish_visit(officer=world.alice, visit_id=visit.pk, outcome="resolved")
    assert visit.events.filter(action="finish").count() == 1


def test_visit__start_service__officer_of_another_office_refused(world):
    visit = services.issue_ticket(office=world.office, service=world.tax)

    with pytest.raises(NotAllowed):  # not "not possible now": the office is checked first
        services.start_service(officer=world.charlie, visit_id=visit.pk)


def test_visit__finish_visit__unknown_visit_is_409(world):
    with pytest.raises(InvalidTransition):
        services.finish_visit(officer=world.alice, visit_id=999_999, outcome="resolved")


@pytest.mark.parametrize(
    "note",
    [
        "Ring 19121212-1212 imorgon",  # the walk's note
        "pnr 121212-1212",
        "121212+1212 (över hundra år)",
        "191212121212",
        "ID 1212121212 visat",
        "x" * 201,  # the walk: 300 characters were cut to 200 without a word
    ],
)
def test_visit__finish_visit__note_with_an_identity_number_or_too_long__refused(world, note):
    """The desk says "No personal data: no names, personal identity numbers or case
    details" under the note; a note holding a valid identity number is refused, as is one
    longer than the field, and the visit stays at the desk."""
    from servicekontor.queueing.errors import InvalidNote

    visit = _serving(world)

    with pytest.raises(InvalidNote) as excinfo:
        services.finish_visit(officer=world.alice, visit_id=visit.pk, outcome="resolved", note=note)

    assert excinfo.value.http_status == 400
    visit.refresh_from_db()
    assert visit.state == "serving" and visit.note == ""


@pytest.mark.parametrize(
    "note",
    [
        "Ring 070-123 45 67 imorgon",  # a phone number is not an identity number
        "Ärende 2026-12-02 1234",
        "19121212-1213",  # wrong check digit: not an identity number
        "x" * 200,
        "  " + "y" * 200 + "  ",  # at most 200 once stripped
    ],
)
def test_visit__finish_visit__other_notes_kept(world, note):
    visit = _serving(world)

    done = services.finish_visit(
        officer=world.alice, visit_id=visit.pk, outcome="resolved", note=note
    )

    assert done.note == note.strip()
