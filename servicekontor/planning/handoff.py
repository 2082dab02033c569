"""A computed planning answer handed on in a form: signed, so that the page that receives it
(saving it as a scenario, its CSV, making it a change plan) knows it is the answer this
server computed, unaltered, and at most a day old."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import signing

SALT = "servicekontor.planning.scenario"
MAX_AGE_SECONDS = 24 * 3600


def sign(day: dt.date, summary: dict[str, Any]) -> str:
    return signing.dumps({"day": day.isoformat(), "summary": summary}, salt=SALT, compress=True)


def unsign(payload: str) -> tuple[dt.date, dict[str, Any]]:
    """The network day and summary of a signed answer. Raises signing.BadSignature (expired
    or altered) or ValueError (not an answer)."""
    data = signing.loads(payload, salt=SALT, max_age=MAX_AGE_SECONDS)
    if not isinstance(data, dict) or not isinstance(data.get("summary"), dict):
        raise ValueError("not a planning answer")
    return dt.date.fromisoformat(str(data["day"])), data["summary"]
