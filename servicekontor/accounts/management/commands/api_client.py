"""Agency API clients from the shell: create one, rotate or revoke its credentials."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from servicekontor.accounts import api_clients
from servicekontor.accounts.models import ApiClient
from servicekontor.catalog.models import Agency


class Command(BaseCommand):
    help = (
        "Agency API clients: `create <agency code> <name>`, `rotate <agency code> <name> "
        "[--overlap-days N]` (the old credentials work N more days, default 7), `revoke <agency "
        "code> <name>`. Tokens are printed once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["create", "rotate", "revoke"])
        parser.add_argument("agency")
        parser.add_argument("name")
        parser.add_argument("--overlap-days", type=int, default=7)

    def handle(self, *args: Any, **options: Any) -> None:
        agency = Agency.objects.filter(code=options["agency"]).first()
        if agency is None:
            raise CommandError(f"No agency {options['agency']!r}")
        if options["action"] == "create":
            if ApiClient.objects.filter(agency=agency, name=options["name"]).exists():
                raise CommandError("This agency already has an API client of that name.")
            _client, token = api_clients.create_api_client(agency=agency, name=options["name"])
            self._print(token)
            return
        client = ApiClient.objects.filter(agency=agency, name=options["name"]).first()
        if client is None:
            raise CommandError(f"No API client {options['name']!r} of {agency.code}")
        if options["action"] == "revoke":
            api_clients.revoke_client(client=client)
            self.stdout.write(f"Revoked {client}: every credential stops working now.")
            return
        if client.revoked_at is not None:
            raise CommandError("The client is revoked; create a new one.")
        if options["overlap_days"] < 0:
            raise CommandError("--overlap-days must be 0 or more")
        token = api_clients.rotate_credentials(
            client=client, overlap=dt.timedelta(days=options["overlap_days"])
        )
        self._print(token)
        self.stdout.write(f"The older credentials work {options['overlap_days']} more days.")

    def _print(self, token: str) -> None:
        self.stdout.write(f"Token (shown once): {token}")
        self.stdout.write("Send it as the header  Authorization: Bearer <token>")
