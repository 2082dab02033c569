"""Create an API token for a statistics reader (e.g. an agency's system)."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from servicekontor.accounts.models import User
from servicekontor.reports.scope import NoStatistics
from servicekontor.reports.services import create_api_token


class Command(BaseCommand):
    help = "Create a statistics API token for a user (it sees what the user sees) and print it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("name", help="What the token is for, e.g. 'Skatteverket BI'.")

    def handle(self, *args: object, **options: str) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user {options['username']!r}")
        try:
            token = create_api_token(user=user, name=options["name"])
        except NoStatistics as exc:
            raise CommandError(str(exc.message)) from None
        self.stdout.write(f"Token (shown once): {token}")
        self.stdout.write("Send it as the header  Authorization: Bearer <token>")
