"""PostgreSQL binary COPY from numpy columns, without a Python loop over rows.

No Django: the caller passes each column's PostgreSQL type (read from the catalogue, so a wrong
width cannot slip in) and gets the bytes of a ``COPY … FROM STDIN (FORMAT binary)`` stream.

Binary COPY rows are ``int16 field count`` then, per field, ``int32 length`` (-1 for NULL) and
the value in network byte order. Rows whose NULLs and text lengths are alike have one fixed
layout, so they are grouped by that signature and each group is written as one numpy
structured array (``tobytes``). Row order in the stream is by group, which a COPY does not
care about (ids are given). Source: PostgreSQL documentation, "COPY — Binary Format".
"""

from __future__ import annotations

import datetime as dt
import struct
from dataclasses import dataclass
from typing import Any

import numpy as np

HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
TRAILER = struct.pack("!h", -1)
PG_EPOCH_UNIX = 946_684_800  # 2000-01-01T00:00:00Z in Unix seconds
PG_EPOCH_ORDINAL = dt.date(2000, 1, 1).toordinal()

_FIXED = {
    "smallint": ">i2",
    "integer": ">i4",
    "bigint": ">i8",
    "double precision": ">f8",
    "boolean": "?",
    "date": ">i4",
    "timestamp with time zone": ">i8",
}
_TEXT = {"character varying", "text", "character"}


@dataclass(frozen=True, slots=True)
class Column:
    """One column's values (length n) and, optionally, where it is NULL.

    Values by type: integers as ints; ``date`` as proleptic ordinals (``date.toordinal()``);
    ``timestamp with time zone`` as Unix seconds (float, UTC); text as a numpy bytes array
    (``S`` dtype, UTF-8) or one ``bytes`` value for every row.
    """

    values: np.ndarray | bytes
    null: np.ndarray | None = None


def _converted(pg_type: str, values: np.ndarray) -> np.ndarray:
    if pg_type == "date":
        return (np.asarray(values, dtype=np.int64) - PG_EPOCH_ORDINAL).astype(">i4")
    if pg_type == "timestamp with time zone":
        seconds = np.asarray(values, dtype=np.float64) - PG_EPOCH_UNIX
        return np.rint(np.nan_to_num(seconds) * 1e6).astype(">i8")
    return np.asarray(values).astype(_FIXED[pg_type])


def encode(types: dict[str, str], columns: dict[str, Column], rows: int) -> bytes:
    """The rows as one binary COPY body (no header or trailer), in ``columns`` order.

    ``types``: column name -> PostgreSQL ``data_type`` (information_schema). Raises
    ValueError for a type this encoder does not know or a column of the wrong length.
    """
    if rows == 0:
        return b""
    names = list(columns)
    signature = np.zeros(rows, dtype=np.int64)
    parts: list[tuple[str, str, object, np.ndarray | None]] = []
    multiplier = 1
    for name in names:
        pg_type = types[name]
        col = columns[name]
        null = None if col.null is None else np.asarray(col.null, dtype=bool)
        if null is not None:
            if null.shape != (rows,):
                raise ValueError(f"{name}: null mask of the wrong length")
            signature += null.astype(np.int64) * multiplier
            multiplier *= 2
        if pg_type in _TEXT:
            if isinstance(col.values, bytes):
                parts.append((name, "const_text", col.values, null))
            else:
                arr = np.asarray(col.values)
                if arr.dtype.kind != "S" or arr.shape != (rows,):
                    raise ValueError(f"{name}: text must be a bytes array of {rows} rows")
                lengths = np.char.str_len(arr).astype(np.int64)
                top = int(lengths.max()) + 1
                signature += lengths * multiplier
                multiplier *= top
                parts.append((name, "text", arr, null))
        elif pg_type in _FIXED:
            assert not isinstance(col.values, bytes)
            values = _converted(pg_type, col.values)
            if values.shape != (rows,):
                raise ValueError(f"{name}: {values.shape[0]} values for {rows} rows")
            parts.append((name, "fixed", values, null))
        else:
            raise ValueError(f"{name}: cannot encode PostgreSQL type {pg_type!r}")
        if multiplier > 2**62:
            raise ValueError("too many variable columns for one signature")
    keys, inverse = np.unique(signature, return_inverse=True)
    chunks = []
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(keys.size + 1))
    for g in range(keys.size):
        idx = order[bounds[g] : bounds[g + 1]]
        first = int(idx[0])
        fields: list[tuple[str, str]] = [("count", ">i2")]
        fills: list[tuple[str, Any]] = []
        for name, kind, data, mask in parts:
            is_null = mask is not None and bool(mask[first])
            if is_null:
                fields.append((f"{name}_len", ">i4"))
                fills.append((f"{name}_len", -1))
                continue
            if kind == "const_text":
                assert isinstance(data, bytes)
                fields += [(f"{name}_len", ">i4"), (name, f"S{max(1, len(data))}")]
                fills += [(f"{name}_len", len(data))]
                if data:
                    fills.append((name, data))
                else:
                    fields.pop()
            elif kind == "text":
                assert isinstance(data, np.ndarray)
                length = len(data[first])
                fields.append((f"{name}_len", ">i4"))
                fills.append((f"{name}_len", length))
                if length:
                    fields.append((name, f"S{length}"))
                    fills.append((name, data[idx]))
            else:
                assert isinstance(data, np.ndarray)
                fields += [(f"{name}_len", ">i4"), (name, data.dtype.str)]
                fills += [(f"{name}_len", data.dtype.itemsize), (name, data[idx])]
        block = np.empty(idx.size, dtype=np.dtype(fields))
        block["count"] = len(parts)
        for field, value in fills:
            block[field] = value
        chunks.append(block.tobytes())
    return b"".join(chunks)
