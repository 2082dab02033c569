"""The compiled day loop runs the live queue's call-order rule itself, not a copy of it."""

import math
import random
from pathlib import Path

import pytest

from servicekontor.queueing import call_order
from servicekontor.simulation import dayloop


def test_the_compiled_rule_is_the_function_of_queueing_call_order():
    # numba.njit of the very function objects, not of a copy of their source
    assert dayloop.call_order_key.py_func is call_order.call_order_key
    assert dayloop.is_due.py_func is call_order.is_due


def _visits(rng: random.Random, n: int = 400):
    for vid in range(n):
        booked = rng.choice([math.nan, rng.uniform(0, 1000), float(rng.randrange(0, 1000, 100))])
        queued = float(rng.randrange(0, 1000, 50)) if rng.random() < 0.5 else rng.uniform(0, 1000)
        yield booked, rng.choice([0, 0, 0, 10, 5, -1]), queued, vid


@pytest.mark.parametrize("seed", range(5))
def test_compiled_and_python_keys_agree(seed):
    """Key by key and as a sort: the compiled call and the Python call of the live queue's
    rule (walk-ins as None in Python, NaN in the compiled loop) give the same order."""
    rng = random.Random(seed)
    for now in (-math.inf, 0.0, 300.0, 500.0, 1000.0, rng.uniform(0, 1000)):
        visits = list(_visits(rng))
        compiled = [dayloop.call_order_key(b, p, q, v, now) for b, p, q, v in visits]
        python = [
            call_order.call_order_key(
                booked_start=None if math.isnan(b) else b,
                priority=p,
                queued_at=q,
                visit_id=v,
                now=now,
            )
            for b, p, q, v in visits
        ]
        assert compiled == python
        assert sorted(range(len(visits)), key=compiled.__getitem__) == sorted(
            range(len(visits)), key=python.__getitem__
        )
        for b, _p, _q, _v in visits:
            expected = call_order.is_due(None if math.isnan(b) else b, now)
            assert dayloop.is_due(b, now) == expected == call_order.is_due(b, now)


def test_the_cache_is_never_the_package_directory():
    package = Path(dayloop.__file__).resolve().parent
    if dayloop.CACHE_DIR is not None:
        assert package not in dayloop.CACHE_DIR.resolve().parents


def test_cache_dir_falls_back_to_a_writable_directory(tmp_path, monkeypatch):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")  # nothing can be created below it, even as root
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(blocked / "numba"))
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: tmp_path / "home"))
    found = dayloop.cache_dir()
    assert (
        found is not None and found.parent == tmp_path / "home" / ".cache" / "servicekontor-numba"
    )
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: blocked))
    monkeypatch.setattr(dayloop.tempfile, "gettempdir", lambda: str(tmp_path / "tmp"))
    found = dayloop.cache_dir()
    assert found is not None and found.parent.parent == tmp_path / "tmp"
    monkeypatch.setattr(dayloop.tempfile, "gettempdir", lambda: str(blocked))
    assert dayloop.cache_dir() is None


def test_cache_dir_changes_with_the_call_order_source(monkeypatch, tmp_path):
    """Numba checks only the cached function's own file; an edit of `call_order.py` must
    not reuse a loop compiled with the old rule."""
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    before = dayloop.cache_dir()
    copy = tmp_path / "call_order.py"
    copy.write_text(Path(call_order.__file__).read_text() + "\n# edited\n")
    monkeypatch.setattr(call_order, "__file__", str(copy))
    assert dayloop.cache_dir() != before


def test_importing_the_model_does_not_import_numba():
    """Web processes import `simulation.model` (the staffing pages); Numba (~0.3 s of CPU to
    import) is imported only by the first `simulate_office`."""
    import subprocess
    import sys

    code = "import sys, servicekontor.simulation.model; print('numba' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_the_compiled_loop_does_what_its_python_source_says(tmp_path):
    """The same scenario with the loop compiled (here) and run as plain Python
    (``NUMBA_DISABLE_JIT=1`` in a subprocess): the same output, bit for bit — bookings, several
    errands, wrong queues, recalls, abandonment, breaks and closing included."""
    import os
    import pickle
    import subprocess
    import sys

    import numpy as np

    from servicekontor.simulation.codes import TRANSFER
    from servicekontor.simulation.model import simulate_office
    from servicekontor.simulation.tests.test_simulate_office import _scenario

    options = {"multi_errand_share": 0.3, "transfer_probability": 0.1, "recall_probability": 0.2}
    compiled = simulate_office(_scenario(days=4, visits=250.0, **options))
    code = (
        "import pickle, sys\n"
        "from servicekontor.simulation.model import simulate_office\n"
        "from servicekontor.simulation.tests.test_simulate_office import _scenario\n"
        f"result = simulate_office(_scenario(days=4, visits=250.0, **{options!r}))\n"
        "pickle.dump(result, open(sys.argv[1], 'wb'))\n"
    )
    out = tmp_path / "python.pkl"
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1"}
    subprocess.run([sys.executable, "-c", code, str(out)], env=env, check=True)
    python = pickle.loads(out.read_bytes())
    assert (compiled.events[:, 2] == TRANSFER).any()
    for name, column in python.visits.items():
        assert np.array_equal(column, compiled.visits[name], equal_nan=True), name
        assert column.dtype == compiled.visits[name].dtype, name
    for name in ("events", "errands", "desk"):
        assert np.array_equal(getattr(python, name), getattr(compiled, name), equal_nan=True)
