"""The one way a datetime becomes a parameter of hand-written SQL.

Django's ORM adapts a datetime for its backend before it sends it; a raw `cursor.execute`
does not. PostgreSQL compares an aware datetime correctly either way, but SQLite stores a
DateTimeField as UTC naive text ("2026-11-30 23:30:00") and compares a parameter as text:
an aware one arrives as "2026-12-01 00:00:00+01:00" (or "…+00:00"), so a comparison with
the start of a local day left out the events between local and UTC midnight (or the one at
the start itself). Every raw statement passes its datetimes through `sql_datetime`, as the
ORM would: UTC naive text on SQLite, the aware value on PostgreSQL.
"""

import datetime as dt
from typing import Any

from django.db import connection
from django.utils import timezone


def sql_datetime(value: dt.datetime) -> Any:
    """`value` as the database compares it with a DateTimeField's column (an aware datetime
    only: a naive one would be read in a time zone nobody chose)."""
    if timezone.is_naive(value):
        raise ValueError(f"a naive datetime as an SQL parameter: {value!r}")
    return connection.ops.adapt_datetimefield_value(value)
