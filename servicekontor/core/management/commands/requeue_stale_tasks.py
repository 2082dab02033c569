"""Put back the background tasks whose worker died or that failed (core.task_queue)."""

from typing import Any

from django.core.management.base import BaseCommand

from servicekontor.core.task_queue import requeue_stale_tasks


class Command(BaseCommand):
    help = (
        "Put back the short background tasks (queue 'default') whose db_worker died while "
        "running them, or that failed, for another run (deploy/crontab: every minute)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = requeue_stale_tasks()
        self.stdout.write(f"Requeued {count} task(s).")
