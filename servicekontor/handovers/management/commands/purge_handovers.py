"""Blank the personal data of handovers past their agency's retention after acknowledgement."""

from typing import Any

from django.core.management.base import BaseCommand

from servicekontor.handovers import services


class Command(BaseCommand):
    help = (
        "Blank what the citizen needs, documents, contact, identity number and case number of "
        "handovers acknowledged more than the agency's retention days ago (partner settings; "
        "30 without). The facts stay for the statistics. Run daily from cron."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = services.purge_handovers()
        self.stdout.write(f"Purged the personal data of {count} handovers.")
