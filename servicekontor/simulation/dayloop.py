"""The compiled day loop of `simulation.model`: who is called when, in Numba's nopython mode.

`model.simulate_office` draws every random number of a day with NumPy (as before) and hands
all days of the office to `run_days` as flat arrays; the loop decides the calls and writes the
rows it has always written (no-shows, calls of visits that left, several errands, transfers,
closing, the desk log) into preallocated matrices. Decision 0034 (`docs/decisions/`) says why
and what it costs.

The call order is not written here: the loop runs `queueing.call_order.call_order_key` and
`is_due` themselves, compiled (`numba.njit(call_order_key)`, `is_due` registered as jitable
for it) — the same function objects the live queue's tests call in Python.
`simulation/tests/test_compiled_call_order.py` checks the compiled keys against the Python
ones and that this module compiles those very functions.

Imported lazily (by the first `simulate_office`), so a web process that only imports
`simulation.model` never imports Numba. Compiled code is cached on disk (``cache=True``) in
`cache_dir()`: ``$NUMBA_CACHE_DIR`` when set, else ``~/.cache/servicekontor-numba``, else
the temporary directory — never the package directory, which may be read-only — in a
subdirectory named by a hash of this file and `queueing/call_order.py` (Numba's own cache
check looks only at the file of the cached function, so an edit of the call order must
change the directory). When no directory is writable the loop is compiled in every process.
"""

from __future__ import annotations

import hashlib
import math
import os
import tempfile
from heapq import heapify, heappop, heappush
from pathlib import Path
from typing import Any

import numba
import numpy as np
from numba.extending import register_jitable

from servicekontor.queueing import call_order
from servicekontor.simulation.codes import (
    BUSY,
    CALL,
    CALLED,
    CLOSE,
    FINISH,
    FINISHED,
    FIRST_FINISH_OUTCOME,
    NO_SHOW,
    NO_SHOW_STATE,
    NOT_SERVED,
    ON_BREAK,
    OUT_CLOSED,
    OUT_NO_SHOW,
    OUT_TRANSFERRED,
    READY,
    RECALL,
    SERVING,
    SIGNED_OUT,
    START,
    TRANSFER,
    WAITING,
)

# counters of the run, in one int64 array: rows written, random pools read, heap sequence
NE, NR, ND, NS, PU, PZ, SEQ, NW = range(8)
# visit columns: float rows of ``vf`` and int rows of ``vi``
QUEUED, BOOKED, FIRST, LAST, LEFT, DUR, OFF = range(7)
FINAL, PRIO, CALLS, STATE, OUTCOME, OFFICER, GEN, INLINE = range(8)
# several errands: int columns of ``ei``, seconds in ``ef`` (two errands at most)
E_SVC0, E_SVC1, E_FORCED0, E_FORCED1, E_POS, E_CNT = range(6)


def _source_hash() -> str:
    digest = hashlib.sha256()
    for path in (Path(__file__), Path(call_order.__file__)):
        digest.update(path.read_bytes())
    digest.update(numba.__version__.encode())
    return digest.hexdigest()[:16]


def _writable(path: Path) -> bool:
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError:
        return False
    return True


def cache_dir() -> Path | None:
    """Where the compiled loop is cached (see the module docstring); None: nowhere."""
    user = os.environ.get("NUMBA_CACHE_DIR")
    roots = [Path(user)] if user else []
    roots += [
        Path.home() / ".cache" / "servicekontor-numba",
        Path(tempfile.gettempdir()) / f"servicekontor-numba-{os.getuid()}",
    ]
    for root in roots:
        if _writable(root / _source_hash()):
            return root / _source_hash()
    return None


CACHE_DIR = cache_dir()


def _jit(function: Any) -> Any:
    """``numba.njit(function)``, cached in `CACHE_DIR` when there is one."""
    if CACHE_DIR is None:
        return numba.njit(function)
    config: Any = numba.config
    before = config.CACHE_DIR
    config.CACHE_DIR = str(CACHE_DIR)  # read once, when the cache is set up
    try:
        return numba.njit(cache=True)(function)
    finally:
        config.CACHE_DIR = before


# The shared rule, compiled: the very functions of `queueing.call_order`.
register_jitable(call_order.is_due)
call_order_key = _jit(call_order.call_order_key)
is_due = _jit(call_order.is_due)


def _service_seconds(
    handling_minutes: float, exponential: bool, cv: float, normal: float, uniform: float
) -> float:
    mean = handling_minutes * 60.0
    if exponential:
        return -mean * math.log(1.0 - uniform)
    sigma2 = math.log(1.0 + cv**2)
    return mean * math.exp(math.sqrt(sigma2) * normal - sigma2 / 2.0)


_service_seconds_c = _jit(_service_seconds)


def _row3(out, c, which, a, b, d):
    r = c[which]
    out[r, 0], out[r, 1], out[r, 2] = a, b, d
    c[which] = r + 1


def _row4(out, c, which, a, b, d, e):
    r = c[which]
    out[r, 0], out[r, 1], out[r, 2], out[r, 3] = a, b, d, e
    c[which] = r + 1


def _row6(out, c, which, a, b, d, e, f, g):
    r = c[which]
    out[r, 0], out[r, 1], out[r, 2], out[r, 3], out[r, 4], out[r, 5] = a, b, d, e, f, g
    c[which] = r + 1


def _row8(out, c, which, a, b, d, e, f, g, h, i):
    r = c[which]
    out[r, 0], out[r, 1], out[r, 2], out[r, 3] = a, b, d, e
    out[r, 4], out[r, 5], out[r, 6], out[r, 7] = f, g, h, i
    c[which] = r + 1


_row3_c, _row4_c, _row6_c, _row8_c = (_jit(f) for f in (_row3, _row4, _row6, _row8))


def _enqueue(vid, vf, vi, svc_agency, wh, bh, c):
    """Put vid in line under the shared rule: its key while not due (a walk-in's: NaN for
    no booking) and, for a booking, its key once due (at the booked time); both computed
    once here by `call_order_key`."""
    prio, queued, gen = vi[PRIO, vid], vf[QUEUED, vid], vi[GEN, vid]
    ag = svc_agency[vi[FINAL, vid]]
    k = call_order_key(math.nan, prio, queued, vid, queued)
    heappush(wh[ag], (k[0], k[1], k[2], k[3], k[4], gen))
    bk = vf[BOOKED, vid]
    if bk == bk:  # not NaN
        d = call_order_key(bk, prio, queued, vid, bk)
        heappush(bh[ag], (d[0], d[1], d[2], d[3], d[4], gen))
    vi[INLINE, vid] = 1
    c[NW] += 1


def _pick(mask, now, vi, wh, bh, c):
    """Take the next visit the officer (agencies ``mask``) may serve out of line (-1: none).
    Each agency's candidate is its earliest due booking, else the head of its line; the
    smallest key wins — the same order as sorting everything by `call_order_key` at now."""
    found = False
    best = (0, 0.0, 0, 0.0, 0, 0)
    best_ag = 0
    best_booked = False
    for ag in range(len(wh)):
        if not (mask >> ag) & 1:
            continue
        h = bh[ag]
        booked = False
        if len(h) > 0:
            while len(h) > 0 and h[0][5] != vi[GEN, h[0][4]]:
                heappop(h)
            booked = len(h) > 0 and is_due(h[0][1], now)
        if not booked:
            h = wh[ag]
        while len(h) > 0 and h[0][5] != vi[GEN, h[0][4]]:
            heappop(h)
        if len(h) > 0 and (not found or h[0] < best):
            found, best, best_ag, best_booked = True, h[0], ag, booked
    if not found:
        return -1
    heappop(bh[best_ag] if best_booked else wh[best_ag])
    vid = best[4]
    vi[GEN, vid] += 1  # a booking's other key is stale from now on
    vi[INLINE, vid] = 0
    c[NW] -= 1
    return vid


def _serve(k, vid, now, ordinal, mask, vf, vi, ei, ef, prm, svc_agency, cdf, pool_u, c, heap, out):
    """Officer k calls vid at now; everything up to the officer being free is known."""
    events, errands, desk, served = out
    recall_probability, recall_seconds, walk_seconds, ghost_seconds = prm[4], prm[5], prm[6], prm[7]
    max_calls = int(prm[8])
    _row4_c(desk, c, ND, ordinal, k, now, BUSY)
    if ei[vid, E_CNT] == 0 and not vf[LEFT, vid] <= now:  # NaN: booked
        # the common case: one errand, still there; its rows and columns are written for all
        # such visits at once after the last day (`model._rows_of_the_run`)
        _row3_c(served, c, NS, vid, k, now)
        heappush(heap, (now + vf[OFF, vid] + vf[DUR, vid], c[SEQ], 1, k, -1))
        c[SEQ] += 1
        return
    svc = vi[FINAL, vid]
    _row8_c(events, c, NE, vid, now, CALL, WAITING, CALLED, k, svc, 0)
    if vf[FIRST, vid] != vf[FIRST, vid]:
        vf[FIRST, vid] = now
    vf[LAST, vid] = now
    vi[OFFICER, vid] = k
    vi[CALLS, vid] = 1
    if vf[LEFT, vid] <= now:  # left already: called max_calls times, then no-show
        t = now
        for _ in range(max_calls - 1):
            t += recall_seconds
            _row8_c(events, c, NE, vid, t, RECALL, CALLED, CALLED, k, svc, 0)
            vf[LAST, vid] = t
            vi[CALLS, vid] += 1
        t = now + ghost_seconds
        _row8_c(events, c, NE, vid, t, NO_SHOW, CALLED, NO_SHOW_STATE, k, svc, OUT_NO_SHOW)
        vi[STATE, vid] = NO_SHOW_STATE
        vi[OUTCOME, vid] = OUT_NO_SHOW
        heappush(heap, (t, c[SEQ], 1, k, -1))
        c[SEQ] += 1
        return
    vf[LEFT, vid] = math.nan  # called in time: does not leave any more
    t = now
    pu = c[PU]
    if pool_u[pu] < recall_probability:
        t += recall_seconds
        _row8_c(events, c, NE, vid, t, RECALL, CALLED, CALLED, k, svc, 0)
        vf[LAST, vid] = t
        vi[CALLS, vid] = 2
    t += walk_seconds * (0.5 + pool_u[pu + 1])
    outcome = FIRST_FINISH_OUTCOME + np.searchsorted(cdf, pool_u[pu + 2])
    c[PU] = pu + 3
    _row8_c(events, c, NE, vid, t, START, CALLED, SERVING, k, svc, 0)
    n_served = 0
    s_svc0 = s_svc1 = 0
    s_start0 = s_start1 = s_end0 = s_end1 = 0.0
    transfer_to = -1
    wrong_queue = False
    while ei[vid, E_POS] < ei[vid, E_CNT]:
        p = ei[vid, E_POS]
        e_svc, e_sec, forced = ei[vid, E_SVC0 + p], ef[vid, p], ei[vid, E_FORCED0 + p]
        if (forced and e_svc != svc) or not (mask >> svc_agency[e_svc]) & 1:
            transfer_to = e_svc
            wrong_queue = forced != 0
            ei[vid, E_FORCED0 + p] = 0
            break
        if n_served == 0:
            s_svc0, s_start0, s_end0 = e_svc, t, t + e_sec
        else:
            s_svc1, s_start1, s_end1 = e_svc, t, t + e_sec
        n_served += 1
        t += e_sec
        ei[vid, E_POS] = p + 1
    errand_outcome = OUT_TRANSFERRED if wrong_queue else outcome
    if n_served > 0:
        _row6_c(errands, c, NR, vid, s_svc0, k, s_start0, s_end0, errand_outcome)
    if n_served > 1:
        _row6_c(errands, c, NR, vid, s_svc1, k, s_start1, s_end1, errand_outcome)
    if transfer_to >= 0:
        vi[FINAL, vid] = transfer_to
        _row8_c(events, c, NE, vid, t, TRANSFER, SERVING, WAITING, k, transfer_to, 0)
        vi[STATE, vid] = WAITING
        # as `transfer_visit` leaves the row: nobody has it, no call counted
        vi[OFFICER, vid] = -1
        vf[LAST, vid] = math.nan
        vi[CALLS, vid] = 0
        heappush(heap, (t, c[SEQ], 1, k, vid))  # back in line when the officer is free
    else:
        _row8_c(events, c, NE, vid, t, FINISH, SERVING, FINISHED, k, svc, outcome)
        vi[STATE, vid] = FINISHED
        vi[OUTCOME, vid] = outcome
        heappush(heap, (t, c[SEQ], 1, k, -1))
    c[SEQ] += 1


_enqueue_c = _jit(_enqueue)
_pick_c = _jit(_pick)
_serve_c = _jit(_serve)


def _run_days(
    d_ordinal,  # per day: date ordinal
    d_base,  # first visit of the day
    d_n,  # visits of the day
    d_end,  # the queue closes (seconds)
    d_pool_u,  # first uniform / normal of the day's pools
    d_pool_z,
    d_off0,  # first officer of the day in the o_ arrays
    d_noff,  # officers that day
    o_start,  # per officer-day: shift, break, agencies as a bit mask
    o_end,
    o_break,
    o_break_seconds,
    o_mask,
    times,  # per visit: arrival (sorted within a day)
    svc,  # first service
    errand_u,  # uniform deciding several errands / wrong queue
    vf,  # float visit columns (QUEUED ... OFF) x visits, updated in place
    vi,  # int visit columns (FINAL ... INLINE) x visits, updated in place
    ei,  # several errands: visits x (E_SVC0 ... E_CNT)
    ef,  # several errands: visits x 2 seconds
    pool_u,  # uniforms / normals of the visits with several errands, read in order
    pool_z,
    svc_agency,  # per service
    svc_minutes,
    others,  # agencies x agencies: the other agencies with walk-in services, padded
    n_others,
    walkin,  # agencies x services: each agency's walk-in services, padded
    n_walkin,
    cdf,  # outcome weights, cumulative
    prm,  # float parameters, see `model.simulate_office`
    n_agencies,
    events,  # output matrices, rows written counted in c
    errands,
    desk,
    served,
    c,  # counters (NE ... NW)
):
    out = (events, errands, desk, served)
    exponential = prm[0] != 0.0
    cv, triage_share, transfer_probability = prm[1], prm[2], prm[3]
    errand_cut = prm[9]
    for d in range(d_ordinal.size):
        ordinal, base, n, day_end = d_ordinal[d], d_base[d], d_n[d], d_end[d]
        c[PU] = d_pool_u[d]
        c[PZ] = d_pool_z[d]
        c[NW] = 0
        o0, n_off = d_off0[d], d_noff[d]
        wh = [[(0, 0.0, 0, 0.0, 0, 0) for _ in range(0)] for _ in range(n_agencies)]
        bh = [[(0, 0.0, 0, 0.0, 0, 0) for _ in range(0)] for _ in range(n_agencies)]
        off_state = np.zeros(n_off, np.int64)  # 0 off, 1 idle, 2 busy, 3 break, 4 done
        off_break_due = np.zeros(n_off, np.bool_)
        off_end_due = np.zeros(n_off, np.bool_)
        off_shift_end = np.minimum(o_end[o0 : o0 + n_off], day_end)
        idle = [0 for _ in range(0)]  # longest idle first
        heap = [(0.0, 0, 0, 0, 0) for _ in range(0)]  # (t, seq, kind, officer, visit)
        seq = 0
        for k in range(n_off):
            heap.append((o_start[o0 + k], seq, 0, k, -1))  # shift start
            seq += 1
            if o_break[o0 + k] < o_end[o0 + k]:
                heap.append((o_break[o0 + k], seq, 2, k, -1))
                seq += 1
            heap.append((off_shift_end[k], seq, 3, k, -1))
            seq += 1
        heap.append((day_end, seq, 5, -1, -1))  # close the queue
        seq += 1
        c[SEQ] = seq
        heapify(heap)
        i = 0
        closed = False
        while True:
            next_arrival = times[base + i] if i < n else math.inf
            if len(heap) > 0 and heap[0][0] <= next_arrival:
                t, _s, kind, k, vid = heappop(heap)
                if kind == 1 or kind == 0 or kind == 4:
                    if kind == 1 and vid >= 0:  # a transferred visit to requeue
                        if closed:
                            f = vi[FINAL, vid]
                            _row8_c(
                                events, c, NE, vid, t, CLOSE, WAITING, NOT_SERVED, -1, f, OUT_CLOSED
                            )
                            vi[STATE, vid] = NOT_SERVED
                            vi[OUTCOME, vid] = OUT_CLOSED
                        else:
                            ag = svc_agency[vi[FINAL, vid]]
                            called = False
                            for j in range(len(idle)):
                                kk = idle[j]
                                if (o_mask[o0 + kk] >> ag) & 1:
                                    idle.pop(j)
                                    off_state[kk] = 2
                                    _serve_c(
                                        kk, vid, t, ordinal, o_mask[o0 + kk], vf, vi, ei, ef,
                                        prm, svc_agency, cdf, pool_u, c, heap, out,
                                    )  # fmt: skip
                                    called = True
                                    break
                            if not called:
                                _enqueue_c(vid, vf, vi, svc_agency, wh, bh, c)
                    # the officer is free (shift start, break over, visit gone from the desk)
                    _row4_c(desk, c, ND, ordinal, k, t, READY)
                    if off_end_due[k] or t >= off_shift_end[k]:
                        off_state[k] = 4
                        _row4_c(desk, c, ND, ordinal, k, t, SIGNED_OUT)
                    elif off_break_due[k]:
                        off_break_due[k] = False
                        off_state[k] = 3
                        _row4_c(desk, c, ND, ordinal, k, t, ON_BREAK)
                        heappush(heap, (t + o_break_seconds[o0 + k], c[SEQ], 4, k, -1))
                        c[SEQ] += 1
                    else:
                        picked = _pick_c(o_mask[o0 + k], t, vi, wh, bh, c) if c[NW] else -1
                        if picked >= 0:
                            off_state[k] = 2
                            _serve_c(
                                k, picked, t, ordinal, o_mask[o0 + k], vf, vi, ei, ef, prm,
                                svc_agency, cdf, pool_u, c, heap, out,
                            )  # fmt: skip
                        else:
                            off_state[k] = 1
                            idle.append(k)
                elif kind == 2:  # break due
                    if off_state[k] == 1:
                        idle.remove(k)
                        off_state[k] = 3
                        _row4_c(desk, c, ND, ordinal, k, t, ON_BREAK)
                        heappush(heap, (t + o_break_seconds[o0 + k], c[SEQ], 4, k, -1))
                        c[SEQ] += 1
                    elif off_state[k] == 2:
                        off_break_due[k] = True
                elif kind == 3:  # shift end
                    if off_state[k] == 1:
                        idle.remove(k)
                        off_state[k] = 4
                        _row4_c(desk, c, ND, ordinal, k, t, SIGNED_OUT)
                    elif off_state[k] == 2 or off_state[k] == 3:
                        off_end_due[k] = True
                elif kind == 5:  # the queue closes: whatever waits is not served
                    closed = True
                    for v in range(base, base + n):
                        if vi[INLINE, v]:
                            f = vi[FINAL, v]
                            _row8_c(
                                events, c, NE, v, t, CLOSE, WAITING, NOT_SERVED, -1, f, OUT_CLOSED
                            )
                            vi[STATE, v] = NOT_SERVED
                            vi[OUTCOME, v] = OUT_CLOSED
                            vi[INLINE, v] = 0
                    c[NW] = 0
                    for h in wh:
                        h.clear()
                    for h in bh:
                        h.clear()
                    for kk in idle:  # nothing more to call: the idle sign out
                        off_state[kk] = 4
                        _row4_c(desk, c, ND, ordinal, kk, t, SIGNED_OUT)
                    idle.clear()
                continue
            if i >= n:
                break
            # an arrival: its columns were filled for the whole day before
            vid = base + i
            t = times[vid]
            u = errand_u[vid]
            i += 1
            s = svc[vid]
            if vi[STATE, vid] == NO_SHOW_STATE:  # a booking nobody came to
                _row8_c(events, c, NE, vid, t, NO_SHOW, -1, NO_SHOW_STATE, -1, s, OUT_NO_SHOW)
                continue
            ag = svc_agency[s]
            # errands: a wrong queue (transfer), several agencies, or one errand
            if u < errand_cut and n_others[ag] > 0:
                forced = u < transfer_probability
                pu, pz = c[PU], c[PZ]
                other_ag = others[ag, int(pool_u[pu] * n_others[ag])]
                other_s = walkin[other_ag, int(pool_u[pu + 1] * n_walkin[other_ag])]
                first = _service_seconds_c(
                    svc_minutes[s], exponential, cv, pool_z[pz], pool_u[pu + 2]
                )
                second = _service_seconds_c(
                    svc_minutes[other_s], exponential, cv, pool_z[pz + 1], pool_u[pu + 3]
                )
                c[PU] = pu + 4
                c[PZ] = pz + 2
                if forced:
                    first *= triage_share
                ei[vid, E_SVC0], ei[vid, E_SVC1] = s, other_s
                ei[vid, E_FORCED0], ei[vid, E_FORCED1] = 0, 1 if forced else 0
                ei[vid, E_POS], ei[vid, E_CNT] = 0, 2
                ef[vid, 0], ef[vid, 1] = first, second
            if closed:  # arrived after the queue closed (cannot happen with open intervals)
                _row8_c(events, c, NE, vid, t, CLOSE, WAITING, NOT_SERVED, -1, s, OUT_CLOSED)
                vi[STATE, vid] = NOT_SERVED
                vi[OUTCOME, vid] = OUT_CLOSED
                continue
            called = False
            for j in range(len(idle)):  # the officer idle longest who may serve it
                kk = idle[j]
                if (o_mask[o0 + kk] >> ag) & 1:
                    idle.pop(j)
                    off_state[kk] = 2
                    _serve_c(
                        kk, vid, t, ordinal, o_mask[o0 + kk], vf, vi, ei, ef, prm, svc_agency,
                        cdf, pool_u, c, heap, out,
                    )  # fmt: skip
                    called = True
                    break
            if not called:
                _enqueue_c(vid, vf, vi, svc_agency, wh, bh, c)


run_days = _jit(_run_days)
