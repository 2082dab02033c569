"""The binary COPY encoder against rows packed by hand (PostgreSQL docs, COPY binary format)."""

import datetime as dt
import struct

import numpy as np
import pytest

from servicekontor.simulation import pgcopy

TYPES = {
    "id": "bigint",
    "n": "integer",
    "flag": "boolean",
    "day": "date",
    "at": "timestamp with time zone",
    "word": "character varying",
}


def _row(i, n, flag, day_ordinal, at_unix, word):
    out = struct.pack("!h", 6) + struct.pack("!iq", 8, i)
    out += struct.pack("!i", -1) if n is None else struct.pack("!ii", 4, n)
    out += struct.pack("!i?", 1, flag)
    out += struct.pack("!ii", 4, day_ordinal - dt.date(2000, 1, 1).toordinal())
    out += struct.pack("!iq", 8, round((at_unix - 946_684_800) * 1_000_000))
    return out + struct.pack("!i", len(word)) + word


def test_encode__rows_as_postgres_reads_them():
    day = dt.date(2025, 3, 30).toordinal()  # a DST day: the instants are UTC anyway
    at = dt.datetime(2025, 3, 30, 8, 15, 0, 250_000, tzinfo=dt.UTC).timestamp()
    columns = {
        "id": pgcopy.Column(np.array([1, 2, 3])),
        "n": pgcopy.Column(np.array([7, 0, 9]), null=np.array([False, True, False])),
        "flag": pgcopy.Column(np.array([True, False, True])),
        "day": pgcopy.Column(np.array([day, day, day + 1])),
        "at": pgcopy.Column(np.array([at, at + 1.5, at])),
        "word": pgcopy.Column(np.array([b"finish", b"", b"no_show"])),
    }
    body = pgcopy.encode(TYPES, columns, 3)
    expected = [
        _row(1, 7, True, day, at, b"finish"),
        _row(2, None, False, day, at + 1.5, b""),
        _row(3, 9, True, day + 1, at, b"no_show"),
    ]
    # rows come grouped by layout, in any group order
    assert len(body) == sum(len(r) for r in expected)
    for row in expected:
        assert row in body
    assert pgcopy.HEADER.startswith(b"PGCOPY\n\xff\r\n\x00")


def test_encode__refuses_unknown_types_and_wrong_lengths():
    with pytest.raises(ValueError, match="cannot encode"):
        pgcopy.encode({"x": "jsonb"}, {"x": pgcopy.Column(np.array([1]))}, 1)
    with pytest.raises(ValueError, match="rows"):
        pgcopy.encode({"x": "integer"}, {"x": pgcopy.Column(np.array([1, 2]))}, 1)
