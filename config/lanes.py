"""The serving lanes (decisions 0031 and 0045): which requests are screens refreshing a
fragment, which are citizens on the public booking site, and which are actions at an office.

A proxy in front of three gunicorn pools sends the requests these patterns match to the
screens' pool (run at the lowest CPU priority) and to the public site's pool (a lower one),
and everything else to the actions' pool, e.g. for nginx a `map` on "$request_method $uri";
see deploy/nginx-lanes.conf. The application itself does not use them: one pool serving every
lane behaves the same.
"""

import re

# The site's languages (settings.LANGUAGES; tests/test_deploy_lanes.py keeps them equal: no
# Django here). A page's path may start with one (/en/desk/…): the same page, the same lane.
# The default language (sv) has no prefix (i18n_patterns, prefix_default_language=False).
LANGUAGE_CODES = ("sv", "en")
LANGUAGE_PREFIX = "(?:(?:" + "|".join(LANGUAGE_CODES) + ")/)?"

# GET only: the desk's waiting list and own-visit panel, the manager's live view and the
# lobby board (the URL names desk:panel, desk:current, desk:live_panel, lobby:board)
SCREEN_PATH = (
    "^/" + LANGUAGE_PREFIX + r"(desk/[\w-]+/(panel|current|live/panel)|display/[\w-]+/board)/$"
)

# Any method: the citizens' own pages, away from any office: the office finder and an
# office's page, the online booking (services, offices, free times, contact form) and a
# booking's manage pages (appointments:services/offices/times/contact/manage/cancel/
# reschedule/calendar, public:finder/office/stop_calendar). The kiosk's check-in and the
# desk's booking pages under /book/ are actions at an office and stay in the actions' lane.
PUBLIC_PATH = "^/" + LANGUAGE_PREFIX + r"(book/((service|manage)/.*)?|office/[\w-]+/.*)?$"

SCREENS, PUBLIC, ACTIONS = "screens", "public", "actions"


def is_screen_request(method: str, path: str) -> bool:
    """Whether a request belongs to the screens' lane: a GET (or HEAD) of a fragment path."""
    return method in {"GET", "HEAD"} and re.match(SCREEN_PATH, path) is not None


def lane(method: str, path: str) -> str:
    """The lane of a request: SCREENS, PUBLIC or ACTIONS (``path`` without the query)."""
    if is_screen_request(method, path):
        return SCREENS
    if re.match(PUBLIC_PATH, path) is not None:
        return PUBLIC
    return ACTIONS


# The lanes' CPU priorities in production (decision 0081), as nice levels: under load the
# officers' and kiosks' actions first, then the push server, the citizens' site, the screens'
# refreshes and the task worker, the planning solves last. Each lane is a systemd service
# (deploy/systemd) with a cgroup of its own, so its priority is the cgroup's CPUWeight=
# (`cpu_weight`), not Nice=: a process's niceness orders it only against the processes of its
# own scheduler group (man 7 sched), so between services Nice= does nothing.
# benchmarks/peak_load.py --lane-groups runs each lane so (its own group at this niceness).
# POSTGRES is the database server's service (a drop-in for postgresql.service): the
# actions' statements wait for it.
PUSH, TASKS, PLANNING, POSTGRES = "push", "tasks", "planning", "postgres"
NICE = {ACTIONS: -10, POSTGRES: -10, PUSH: 0, PUBLIC: 5, SCREENS: 10, TASKS: 10, PLANNING: 19}

# The kernel's CPU weight of each nice level, -20 … 19 (kernel/sched/core.c,
# sched_prio_to_weight); nice 0 is 1024.
_WEIGHTS = (
    88761, 71755, 56483, 46273, 36291, 29154, 23254, 18705, 14949, 11916,
    9548, 7620, 6100, 4904, 3906, 3121, 2501, 1991, 1586, 1277,
    1024, 820, 655, 526, 423, 335, 272, 215, 172, 137,
    110, 87, 70, 56, 45, 36, 29, 23, 18, 15,
)  # fmt: skip


def cpu_weight(nice: int) -> int:
    """systemd's CPUWeight= (1–10000, default 100 = nice 0) that gives a cgroup the share a
    task group at niceness `nice` has: round(100 × weight(nice) / 1024), at least 1.
    ValueError outside -20…19. cgroup v2 (Documentation/admin-guide/cgroup-v2.rst, "cpu"):
    cpu.weight 100 is the default, the same share as a nice-0 task group."""
    if not -20 <= nice <= 19:
        raise ValueError(f"a nice level is -20 to 19: {nice}")
    return max(1, round(100 * _WEIGHTS[nice + 20] / 1024))
