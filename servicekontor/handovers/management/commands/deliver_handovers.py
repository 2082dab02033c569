"""Send the due webhook deliveries of handovers (retries with backoff)."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from servicekontor.handovers import delivery


class Command(BaseCommand):
    help = (
        "Attempt every due handover webhook once (cron every minute), or keep doing so with "
        "--loop (a worker; several may run: each delivery is claimed by one at a time)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between sweeps")
        parser.add_argument("--limit", type=int, default=200)

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            result = delivery.deliver_due(limit=options["limit"])
            if not options["loop"]:
                self.stdout.write(
                    f"Delivered {result.delivered}, failed {result.failed}, "
                    f"skipped {result.skipped}."
                )
                return
            if not (result.delivered or result.failed):
                time.sleep(options["interval"])
