"""The codes of the simulator's arrays (`simulation.model`, `simulation.dayloop`): indices into
the tuples of `queueing.states` values, so the loader writes the rows a real visit writes."""

from __future__ import annotations

from servicekontor.queueing.states import Action, State

# Codes used in the arrays; index into these tuples to get the string values.
ACTIONS: tuple[Action, ...] = tuple(Action)
STATES: tuple[State, ...] = tuple(State)
OUTCOMES: tuple[str, ...] = (
    "",
    "resolved",
    "e_service",
    "documents_forwarded",
    "referred",
    "meeting_booked",
    "come_back",
    "no_show",
    "not_served_at_closing",
    "transferred",
)
SOURCES: tuple[str, ...] = ("kiosk", "appointment")
_A = {a: i for i, a in enumerate(ACTIONS)}
_S = {s: i for i, s in enumerate(STATES)}
_NONE_STATE = -1
ISSUE, CHECK_IN, CALL, RECALL, START = (
    _A[Action.ISSUE],
    _A[Action.CHECK_IN],
    _A[Action.CALL],
    _A[Action.RECALL],
    _A[Action.START],
)
TRANSFER, FINISH, NO_SHOW, CLOSE = (
    _A[Action.TRANSFER],
    _A[Action.FINISH],
    _A[Action.NO_SHOW],
    _A[Action.CLOSE],
)
WAITING, CALLED, SERVING = _S[State.WAITING], _S[State.CALLED], _S[State.SERVING]
FINISHED, NO_SHOW_STATE, NOT_SERVED = _S[State.FINISHED], _S[State.NO_SHOW], _S[State.NOT_SERVED]
OUT_NO_SHOW, OUT_CLOSED = OUTCOMES.index("no_show"), OUTCOMES.index("not_served_at_closing")
OUT_TRANSFERRED = OUTCOMES.index("transferred")
#: What an officer at a desk is doing, as `queueing.DeskActivity` values.
DESK_STATUSES: tuple[str, ...] = ("idle", "break", "serving", "signed_out")
READY, ON_BREAK, BUSY, SIGNED_OUT = range(4)
FIRST_FINISH_OUTCOME = 1  # OUTCOMES[1:7] are the officer's choices
