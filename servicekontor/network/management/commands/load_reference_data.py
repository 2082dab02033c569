from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from servicekontor.network.reference_data import ReferenceDataError, load_reference_data


class Command(BaseCommand):
    help = (
        "Load or update the real reference data (agencies, services, offices, counters, "
        "offerings, hours); rows edited by an administrator since the last load are kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--directory", type=Path, default=settings.REFERENCE_DATA_DIR)

    def handle(self, *args: object, **options: object) -> None:
        directory = options["directory"]
        assert isinstance(directory, Path)
        try:
            report = load_reference_data(directory)
        except ReferenceDataError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Reference data: {report}")
