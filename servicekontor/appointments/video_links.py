"""Meeting links for video meetings, from a configurable provider behind one interface.

`VIDEO_PROVIDER` names the class (default `JitsiProvider`); `provider()` returns it. A
provider turns a meeting's unguessable room name into the address each side opens: the
office's video room (shown at check-in and on the desk) and the caseworker (through the
agency's interface). Nothing personal goes into a link.

Jitsi (self-hosted, with token authentication, "prosody-jwt"): the address carries a JWT
signed with HS256 by PyJWT with the secret the Jitsi server shares: `iss` = app id,
`aud` = "jitsi", `sub` = the Jitsi host, `room` = the room name, valid (`nbf`/`exp`) from
`EARLY` before the start until `LATE` after the end, and `context.user` the name shown and
whether that side moderates (the caseworker does).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, Protocol
from urllib.parse import urlsplit

import jwt
from django.utils.module_loading import import_string

from servicekontor.appointments import conf

Side = Literal["room", "caseworker"]
EARLY = dt.timedelta(minutes=15)
LATE = dt.timedelta(minutes=30)


class MeetingLinkProvider(Protocol):
    def link(
        self,
        *,
        room_name: str,
        side: Side,
        display_name: str,
        starts_at: dt.datetime,
        ends_at: dt.datetime,
    ) -> str:
        """The address `side` opens to join the meeting in `room_name`."""
        ...


class JitsiProvider:
    """A self-hosted Jitsi Meet with JWT token authentication."""

    def __init__(self) -> None:
        self.base_url, self.app_id, self.secret = conf.jitsi()

    def token(
        self,
        *,
        room_name: str,
        side: Side,
        display_name: str,
        starts_at: dt.datetime,
        ends_at: dt.datetime,
    ) -> str:
        claims = {
            "iss": self.app_id,
            "aud": "jitsi",
            "sub": urlsplit(self.base_url).hostname or "",
            "room": room_name,
            "nbf": int((starts_at - EARLY).timestamp()),
            "exp": int((ends_at + LATE).timestamp()),
            "context": {
                "user": {"name": display_name, "moderator": side == "caseworker"},
            },
        }
        return jwt.encode(claims, self.secret, algorithm="HS256")

    def link(
        self,
        *,
        room_name: str,
        side: Side,
        display_name: str,
        starts_at: dt.datetime,
        ends_at: dt.datetime,
    ) -> str:
        token = self.token(
            room_name=room_name,
            side=side,
            display_name=display_name,
            starts_at=starts_at,
            ends_at=ends_at,
        )
        return f"{self.base_url}/{room_name}?jwt={token}"


def provider() -> MeetingLinkProvider:
    cls = import_string(conf.video_provider())
    made: MeetingLinkProvider = cls()
    return made
