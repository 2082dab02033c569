"""Results of pure computations kept in the cache under a digest of their inputs.

The steering pages recompute the same things on every request: a week's shift plan (HiGHS),
its simulation check, the network's staffing year, a change plan's evaluation. Their inputs
are read from the database on every request (cheap, and always current); the computation on
them is what costs. `remembered` keeps its result in the default cache (Redis in production,
shared by every worker) under the SHA-256 of a canonical encoding of *every* input
(`digest`): a change of any input is another key, so no entry is ever stale and nothing
needs invalidating. Entries expire after `TIMEOUT_S` only to free memory.

The code is an input too: every key carries `code_version()`, a digest of the application's
source (its modules, not the tests or migrations) and of the numerical libraries' versions,
so an entry written by another deploy is never read (the first request after a deploy
computes again) and nobody has to remember to bump a version when a change of the code
changes a result.

Rules for a caller:
- only a pure function of the inputs given (same inputs, same result; a seeded simulation
  is one): nothing read from the database, the clock or a setting inside it that is not
  among the inputs;
- the namespace names the computation (a version in it is kept for clarity: the code's
  digest already separates deploys);
- the result comes back as a copy (the cache pickles it), so the caller may change it.

`digest` refuses types it cannot encode canonically (a model instance, a lazy string, an
object whose state is not its fields) rather than hashing something that is not its value.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import hashlib
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from django.core.cache import cache

T = TypeVar("T")
TIMEOUT_S = 6 * 3600
_MISSING = object()


def _encode(obj: Any, out: list[bytes]) -> None:
    """Append a canonical, type-tagged encoding of ``obj`` to ``out`` (equal values, equal
    bytes; values of different types or structure, different bytes)."""
    if obj is None or obj is True or obj is False:
        out.append(b"N" if obj is None else (b"T" if obj else b"F"))
    elif isinstance(obj, enum.Enum):
        out.append(b"E")
        _encode((type(obj).__module__, type(obj).__qualname__, obj.value), out)
    elif isinstance(obj, int):
        out.append(b"i%d;" % obj)
    elif isinstance(obj, float):
        out.append(b"f" + obj.hex().encode() + b";")
    elif isinstance(obj, str):
        data = obj.encode()
        out.append(b"s%d:" % len(data) + data)
    elif isinstance(obj, bytes):
        out.append(b"b%d:" % len(obj) + obj)
    elif isinstance(obj, Decimal):
        out.append(b"d" + str(obj).encode() + b";")
    elif isinstance(obj, Fraction):
        out.append(b"q%d/%d;" % (obj.numerator, obj.denominator))
    elif isinstance(obj, dt.datetime):
        out.append(b"D" + obj.isoformat().encode() + str(obj.tzinfo).encode() + b";")
    elif isinstance(obj, dt.date):
        out.append(b"a" + obj.isoformat().encode() + b";")
    elif isinstance(obj, dt.time):
        out.append(b"t" + obj.isoformat().encode() + str(obj.tzinfo).encode() + b";")
    elif isinstance(obj, dt.timedelta):
        out.append(b"l%d,%d,%d;" % (obj.days, obj.seconds, obj.microseconds))
    elif isinstance(obj, np.ndarray):
        arr = np.ascontiguousarray(obj)
        if arr.dtype.hasobject:
            raise TypeError("memo.digest: an object array has no canonical bytes")
        out.append(b"A" + arr.dtype.str.encode() + repr(arr.shape).encode() + b":")
        out.append(hashlib.sha256(arr.tobytes()).digest())
    elif isinstance(obj, np.generic):
        _encode(obj.item(), out)
    elif isinstance(obj, tuple | list):
        out.append(b"(%d:" % len(obj) if isinstance(obj, tuple) else b"[%d:" % len(obj))
        for item in obj:
            _encode(item, out)
    elif isinstance(obj, dict):
        # in their order: a computation may sum or draw in the order it is given
        out.append(b"{%d:" % len(obj))
        for k, v in obj.items():
            _encode(k, out)
            _encode(v, out)
    elif isinstance(obj, set | frozenset):
        items = sorted(_bytes(x) for x in obj)
        out.append(b"<%d:" % len(items))
        out.extend(items)
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        cls = type(obj)
        out.append(b"C" + f"{cls.__module__}.{cls.__qualname__}".encode() + b":")
        for f in dataclasses.fields(obj):
            out.append(f.name.encode() + b"=")
            _encode(getattr(obj, f.name), out)
    else:
        raise TypeError(f"memo.digest: no canonical encoding of {type(obj).__qualname__}")


def _bytes(obj: Any) -> bytes:
    out: list[bytes] = []
    _encode(obj, out)
    return b"".join(out)


def digest(inputs: Any) -> str:
    """The SHA-256 (hex) of the canonical encoding of ``inputs``."""
    return hashlib.sha256(_bytes(inputs)).hexdigest()


#: the libraries whose versions can change a computed result
LIBRARIES = ("numpy", "scipy", "statsmodels", "numba", "holidays")


@functools.cache
def code_version() -> str:
    """A digest of the application's modules (tests and migrations left out) and of the
    `LIBRARIES`' versions: part of every key (module docstring). Read once per process
    (~360 files, about 10 ms)."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        h.update(str(path.relative_to(root)).encode() + b"\0")
        h.update(path.read_bytes())
    for name in LIBRARIES:
        try:
            h.update(f"{name}={metadata.version(name)};".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name}=-;".encode())
    return h.hexdigest()[:16]


def remembered(
    namespace: str,
    inputs: Any,
    compute: Callable[[], T],
    *,
    keep: Callable[[T], bool] | None = None,
) -> T:
    """``compute()``'s result for ``inputs``: from the cache when the same inputs were
    computed before (under ``namespace``), else computed and stored. ``keep``: store only a
    result it accepts (e.g. not one a time limit cut short, which another run may improve)."""
    key = f"memo:{namespace}:{code_version()}:{digest(inputs)}"
    found = cache.get(key, _MISSING)
    if found is not _MISSING:
        return found
    value = compute()
    if keep is None or keep(value):
        cache.set(key, value, TIMEOUT_S)
    return value
