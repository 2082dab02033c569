"""Create a token that pairs a kiosk or lobby display with an office."""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from servicekontor.network.models import Office
from servicekontor.queueing.devices import create_device_token
from servicekontor.queueing.models import DeviceKind


class Command(BaseCommand):
    help = "Create a device token for an office's kiosk or display and print its pairing link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("office_code")
        parser.add_argument("kind", choices=DeviceKind.values)
        parser.add_argument("name")

    def handle(self, *args: object, **options: str) -> None:
        office = Office.objects.filter(code=options["office_code"]).first()
        if office is None:
            raise CommandError(f"No office with code {options['office_code']!r}")
        token = create_device_token(office=office, kind=options["kind"], name=options["name"])
        url = reverse("queueing:pair", kwargs={"office_code": office.code})
        self.stdout.write(f"Token (shown once): {token}")
        self.stdout.write(f"Open on the device: {url}?kind={options['kind']}&token={token}")
