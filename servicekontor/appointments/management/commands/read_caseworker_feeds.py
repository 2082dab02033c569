from typing import Any

from django.core.management.base import BaseCommand, CommandError

from servicekontor.appointments import services


class Command(BaseCommand):
    help = (
        "Read every active caseworker's iCalendar feed of free time (Caseworker.calendar_url) "
        "and publish the next 60 days for video-meeting bookings. For cron (deploy/crontab). "
        "A feed that fails keeps its old free time; the command then exits with an error."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        run = services.refresh_caseworker_feeds()
        for name, count in sorted(run.read.items()):
            self.stdout.write(f"{name}: {count} free periods")
        if run.failed:
            for name, why in sorted(run.failed.items()):
                self.stderr.write(f"{name}: not read ({why})")
            raise CommandError(f"{len(run.failed)} feed(s) could not be read")
