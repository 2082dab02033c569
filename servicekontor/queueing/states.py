"""The visit state machine as plain data: which action moves a visit from which state to which.

No Django here: services.py asks `target_state(action, current)` before it writes, and the
tests walk the table exhaustively. "Transferred" and "recalled" are *transitions* (they leave the
visit waiting or called), so they appear as actions, not as resting states.
"""

from enum import StrEnum


class State(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    ON_HOLD = "on_hold"
    FINISHED = "finished"
    NO_SHOW = "no_show"
    NOT_SERVED = "not_served"


class Action(StrEnum):
    ISSUE = "issue"  # kiosk or desk adds a walk-in
    CHECK_IN = "check_in"  # a booked visit arrives
    CALL = "call"  # call next, or pick a specific visit
    RECALL = "recall"
    START = "start"
    HOLD = "hold"  # parked: waiting for documents
    REQUEUE = "requeue"  # a parked visit goes back in line
    TRANSFER = "transfer"  # to another service (and perhaps agency); back in line
    FINISH = "finish"
    NO_SHOW = "no_show"
    CLOSE = "close"  # still open at closing time (see TRANSITIONS)


TERMINAL = frozenset({State.FINISHED, State.NO_SHOW, State.NOT_SERVED})
# The changes that move someone nearer the front of the line: after them the citizens now
# near the front who asked to be told are told (`queueing.tasks`); the others tell nobody.
MOVES_THE_LINE = frozenset({Action.CALL, Action.TRANSFER, Action.REQUEUE})
OPEN = frozenset(State) - TERMINAL

# (action, from) -> to. Creation actions have from=None.
TRANSITIONS: dict[tuple[Action, State | None], State] = {
    (Action.ISSUE, None): State.WAITING,
    (Action.CHECK_IN, None): State.WAITING,
    (Action.NO_SHOW, None): State.NO_SHOW,  # a booking nobody came to
    (Action.CALL, State.WAITING): State.CALLED,
    (Action.CALL, State.ON_HOLD): State.CALLED,
    (Action.RECALL, State.CALLED): State.CALLED,
    (Action.START, State.CALLED): State.SERVING,
    (Action.HOLD, State.CALLED): State.ON_HOLD,
    (Action.HOLD, State.SERVING): State.ON_HOLD,
    (Action.REQUEUE, State.ON_HOLD): State.WAITING,
    (Action.TRANSFER, State.CALLED): State.WAITING,
    (Action.TRANSFER, State.SERVING): State.WAITING,
    (Action.TRANSFER, State.ON_HOLD): State.WAITING,
    (Action.FINISH, State.SERVING): State.FINISHED,
    (Action.NO_SHOW, State.CALLED): State.NO_SHOW,
    (Action.CLOSE, State.WAITING): State.NOT_SERVED,
    (Action.CLOSE, State.ON_HOLD): State.NOT_SERVED,
    # Left at a desk from an earlier day, or at an office that stopped operating: every
    # visit ends, so the closing job ends these too (never a visit called today at an
    # operating office: its desk finishes it).
    (Action.CLOSE, State.CALLED): State.NOT_SERVED,
    (Action.CLOSE, State.SERVING): State.NOT_SERVED,
}


def target_state(action: Action, current: State | None) -> State | None:
    """The state `action` leads to from `current`, or None if it is not allowed."""
    return TRANSITIONS.get((action, current))


def sources_of(action: Action) -> frozenset[State]:
    """The states from which `action` is allowed (for compare-and-swap filters)."""
    return frozenset(s for (a, s) in TRANSITIONS if a == action and s is not None)
