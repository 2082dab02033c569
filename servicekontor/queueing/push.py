"""Server push for the screens that poll (decision 0026): the publishing half.

After a change to an office's queue commits, one short message goes to the office's channel on
Redis (pub/sub): ``<prefix>office.<id>`` with the screen parts that may have changed
("board", "desk", "live"). The push server (`queueing.push_server`, a small ASGI app) holds
one subscription per process and tells each open stream (server-sent events) of that office;
the screen then asks for its fragment with the conditional request it already makes when it
polls (decision 0017), so push only replaces the idle polls, never the rendering rules.

Best effort by design: a lost message (Redis down, a stream reconnecting) costs freshness,
not correctness. The screens keep a slow safety poll while a stream is open and fall back to
their old polling when it is not; without JavaScript nothing changes.

Nothing is sent from inside a transaction: the receivers run on `visit_changed` (sent after
commit) and on `desk_sessions_changed` (after commit too).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import cache
from typing import Any

import redis
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.http import HttpRequest

from servicekontor.queueing.states import TRANSITIONS, Action, State

log = logging.getLogger(__name__)

# "own": an officer's own visit began or ended, so that officer's waiting list gains or loses
# its "Call" buttons (decision 0062); the other parts name the screens' versions.
PARTS = ("board", "desk", "live", "own")
_LISTED = frozenset({State.WAITING, State.ON_HOLD})
_ACTIVE = frozenset(
    {State.CALLED, State.SERVING}
)  # an officer's own visit (`sql.DESK_LIST_INPUTS`)
TOKEN_SALT = "servicekontor.push"
TOKEN_MAX_AGE = 24 * 3600  # seconds; screens reload their page at least this often
# Separately scoped tokens (decision 0062): a lobby display's stream carries the board only,
# a desk's stream one signed-in officer's waiting list; the push server's requests for the
# fragments carry a short-lived key of their own.
BOARD_SALT = "servicekontor.push.board"
DESK_SALT = "servicekontor.push.desk"
FETCH_SALT = "servicekontor.push.fetch"
# The push server gives up on a request to the app after FETCH_TIMEOUT seconds without an
# answer (and asks again later with a new key); a request that waited longer in the app
# server's backlog is answered to nobody, so the app refuses its key unrendered. The margin
# covers clocks a few seconds apart (more is a misconfiguration the push server logs).
FETCH_TIMEOUT = 10.0
FETCH_MAX_AGE = int(FETCH_TIMEOUT) + 5  # seconds; the push server signs each request anew
FETCH_HEADER = "X-Push-Fetch"


def parts_for(action: str) -> frozenset[str]:
    """The screen parts an `action` may change (conservative: any transition of the action).

    A visit entering or leaving the waiting or parked visits changes every desk's list and the
    board; a call or recall, or a called visit leaving that state, the board; every action
    the live view. The same rule as the version counts of `sql.OFFICE_EVENTS_TODAY`, derived
    here from the transition table (tested against it)."""
    act = Action(action)
    moves = [(old, new) for (a, old), new in TRANSITIONS.items() if a is act]
    queue = any(old in _LISTED or new in _LISTED for old, new in moves)
    parts = {"live"}
    if queue:
        parts |= {"desk", "board"}
    if act in (Action.CALL, Action.RECALL) or any(old is State.CALLED for old, _new in moves):
        parts.add("board")
    if any((old in _ACTIVE) != (new in _ACTIVE) for old, new in moves):
        parts.add("own")
    return frozenset(parts)


def enabled() -> bool:
    return bool(settings.PUSH_URL and settings.PUSH_REDIS_URL)


def channel(office_id: int) -> str:
    return f"{settings.PUSH_CHANNEL_PREFIX}office.{office_id}"


@cache
def _client(url: str) -> redis.Redis:
    # Short timeouts: a publish must never hold up the request that made the change.
    return redis.Redis.from_url(url, socket_timeout=0.2, socket_connect_timeout=0.2)


def publish(*, office_id: int, parts: Iterable[str]) -> bool:
    """Tell the office's streams that `parts` may have changed; False if push is off or Redis
    did not take the message (logged; the screens' safety polls cover it)."""
    if not enabled():
        return False
    try:
        _client(settings.PUSH_REDIS_URL).publish(channel(office_id), " ".join(sorted(parts)))
    except redis.RedisError as exc:
        log.warning("push: publish to office %s failed: %s", office_id, exc)
        return False
    return True


def on_visit_changed(sender: Any, *, office_id: int, action: str, **kwargs: Any) -> None:
    """Receiver of `signals.visit_changed` (after commit)."""
    publish(office_id=office_id, parts=parts_for(action))


def on_desk_sessions_changed(
    sender: Any, *, office_id: int, staffing: bool = False, **kwargs: Any
) -> None:
    """Receiver of `signals.desk_sessions_changed` (after commit): sign-ins and statuses are
    shown by the live view only. A visit reaching or leaving a desk (`staffing` False) is
    told by its own `visit_changed`, whose parts always name the live view (`parts_for`):
    one message per change, not two."""
    if staffing:
        publish(office_id=office_id, parts=("live",))


def on_screen_access_changed(sender: Any, *, instance: Any, **kwargs: Any) -> None:
    """Receiver of a `DeviceToken`'s or `QueueSettings`' save or delete: after commit the
    office's board streams are checked (the push server asks for the board with the streams'
    devices and ends those the app no longer lets in), so a revoked display loses its stream
    within a second or so, not when its token expires."""
    office_id = instance.office_id
    transaction.on_commit(lambda: publish(office_id=office_id, parts=("board",)))


DEVICES_HEADER = "X-Push-Devices"  # the app's answer: the devices whose boards may go on


def stream_token(office_id: int) -> str:
    """A signed, timestamped token naming the office: the push server opens a stream only
    for a token it can verify (`office_of_token`). Screens get it in their page."""
    return signing.TimestampSigner(salt=TOKEN_SALT).sign(str(office_id))


def office_of_token(token: str, *, max_age: int = TOKEN_MAX_AGE) -> int | None:
    """The office id a token names, or None if it is forged, malformed or older than
    `max_age` seconds."""
    try:
        value = signing.TimestampSigner(salt=TOKEN_SALT).unsign(token, max_age=max_age)
    except signing.BadSignature:
        return None
    return int(value) if _digits(value) else None


def _sign(salt: str, *values: object) -> str:
    return signing.TimestampSigner(salt=salt).sign(".".join(map(str, values)))


def _unsign(salt: str, token: str, max_age: int) -> list[str] | None:
    try:
        return signing.TimestampSigner(salt=salt).unsign(token, max_age=max_age).split(".")
    except signing.BadSignature:
        return None


def board_token(office_id: int, language: str, device_id: int = 0) -> str:
    """A lobby display's stream token: the office's board in `language`, nothing else.
    `device_id`: the paired device (`DeviceToken`) the page was shown to, 0 where the office
    needs no pairing; the push server ends the stream once the app no longer lets that device
    see the board (revoked, or pairing now required: `devices.devices_still_allowed`)."""
    return _sign(BOARD_SALT, office_id, language, device_id)


def board_of_token(token: str, *, max_age: int = TOKEN_MAX_AGE) -> tuple[int, str, int] | None:
    """(office id, language, device id) of a board token, or None (forged, malformed,
    expired)."""
    values = _unsign(BOARD_SALT, token, max_age)
    if values is None or len(values) != 3 or not (_digits(values[0]) and _digits(values[2])):
        return None
    return int(values[0]), values[1], int(values[2])


def _digits(text: str) -> bool:
    """ASCII digits only: `int()` takes "١٢" and `str.isdigit` "²" (core.params)."""
    return text.isascii() and text.isdigit()


def desk_token(office_id: int, officer_id: int, language: str) -> str:
    """A desk's stream token: one officer's waiting list at `office_id` in `language`. The
    app hands out a list only while the officer is signed in at a desk of that office."""
    return _sign(DESK_SALT, office_id, officer_id, language)


def desk_of_token(token: str, *, max_age: int = TOKEN_MAX_AGE) -> tuple[int, int, str] | None:
    """(office id, officer id, language) of a desk token, or None."""
    values = _unsign(DESK_SALT, token, max_age)
    if values is None or len(values) != 3 or not (_digits(values[0]) and _digits(values[1])):
        return None
    return int(values[0]), int(values[1]), values[2]


def fetch_key() -> str:
    """What the push server sends in `FETCH_HEADER` when it asks the app for fragments."""
    return _sign(FETCH_SALT, "fetch")


def fetch_allowed(value: str) -> bool:
    """Whether `value` (the request's `FETCH_HEADER`) is a fresh key of the push server."""
    return _unsign(FETCH_SALT, value, FETCH_MAX_AGE) == ["fetch"]


def fetch_language(request: HttpRequest) -> str | None:
    """The language the push server asks a fragment in (`?lang=`), or None if the request
    is not the push server's (no fresh `fetch_key`) or the language is not the site's."""
    if not fetch_allowed(request.headers.get(FETCH_HEADER, "")):
        return None
    language = request.GET.get("lang", "")
    return language if language in dict(settings.LANGUAGES) else None


def board_stream_url(office_id: int, language: str, device_id: int = 0) -> str:
    """A lobby display's stream (the board's HTML, decision 0062); "" when push is off."""
    if not enabled():
        return ""
    base = settings.PUSH_URL.rstrip("/")
    return f"{base}/office/{office_id}/board/?t={board_token(office_id, language, device_id)}"


def desk_stream_url(office_id: int, officer_id: int, language: str) -> str:
    """A desk's stream (the officer's waiting list's HTML, decision 0062); "" when push is
    off."""
    if not enabled():
        return ""
    token = desk_token(office_id, officer_id, language)
    return f"{settings.PUSH_URL.rstrip('/')}/office/{office_id}/desk/?t={token}"


def stream_url(office_id: int) -> str:
    """Where a screen of `office_id` opens its stream; "" when push is off (the screen polls)."""
    if not enabled():
        return ""
    return f"{settings.PUSH_URL.rstrip('/')}/office/{office_id}/?t={stream_token(office_id)}"
