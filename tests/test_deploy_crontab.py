"""deploy/crontab names only management commands that exist, each on a valid schedule."""

import re
from pathlib import Path

from django.core.management import get_commands

CRONTAB = Path(__file__).resolve().parent.parent / "deploy" / "crontab"
FIELD = re.compile(r"^(\*|\*/\d+|\d+(-\d+)?(,\d+(-\d+)?)*)$")


def _jobs() -> list[tuple[list[str], str]]:
    jobs = []
    for line in CRONTAB.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or re.match(r"^[A-Z_]+=", line):
            continue
        parts = line.split()
        command = re.search(r"manage\.py (\w+)", line)
        assert command, f"not a manage.py job: {line}"
        jobs.append((parts[:5], command.group(1)))
    return jobs


def test_crontab__every_job_is_an_existing_command_on_a_valid_schedule() -> None:
    commands = get_commands()
    names = set()
    for schedule, name in _jobs():
        assert all(FIELD.match(field) for field in schedule), schedule
        assert name in commands, f"{name} is not a management command"
        names.add(name)
    assert names == {
        "run_booking_jobs",
        "deliver_messages",
        "close_queues",
        "purge_personal_data",
        "purge_logs",
        "roll_up_occupancy",
        "deliver_handovers",
        "purge_handovers",
        "read_caseworker_feeds",
        "release_bookings_without_capacity",
        "requeue_stale_tasks",  # a background task whose worker died (decision 0044)
    }
