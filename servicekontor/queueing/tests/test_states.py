"""The state machine table, checked without a database."""

from hypothesis import given
from hypothesis import strategies as st

from servicekontor.queueing.models import VisitAction, VisitState
from servicekontor.queueing.states import (
    OPEN,
    TERMINAL,
    TRANSITIONS,
    Action,
    State,
    sources_of,
    target_state,
)


def test_states__django_choices_match_the_pure_enums():
    assert set(VisitState.values) == {s.value for s in State}
    assert set(VisitAction.values) == {a.value for a in Action}


def test_states__nothing_leaves_a_terminal_state():
    assert not [key for key in TRANSITIONS if key[1] in TERMINAL]


def test_states__every_open_state_can_end():
    """From every open state some path reaches a terminal state."""
    reachable_end = set(TERMINAL)
    changed = True
    while changed:
        changed = False
        for (_action, source), target in TRANSITIONS.items():
            if source is not None and target in reachable_end and source not in reachable_end:
                reachable_end.add(source)
                changed = True
    assert reachable_end >= OPEN


def test_states__finish_only_from_serving():
    assert sources_of(Action.FINISH) == {State.SERVING}


@given(st.sampled_from(list(Action)), st.sampled_from([None, *State]))
def test_states__target_state_is_in_the_table_or_none(action, state):
    target = target_state(action, state)
    assert target == TRANSITIONS.get((action, state))
    if target is not None and state is not None:
        assert state in OPEN
