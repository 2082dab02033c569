"""Create a person's API token: it acts as its user (e.g. a network administrator's script).

An agency's system uses one of its agency's API clients instead (`manage.py api_client create`,
decision 0018): a person's token is refused by the partner API (decision 0082)."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from servicekontor.accounts.models import ApiToken, User
from servicekontor.reports.scope import NoStatistics
from servicekontor.reports.services import create_api_token


class Command(BaseCommand):
    help = (
        "Create a person's API token (it acts as the user and sees what the user sees: the "
        "statistics, costs and change-plan APIs) and print it. An agency's system uses an API "
        "client instead: manage.py api_client create."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("name", help="What the token is for, e.g. 'monthly report script'.")

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
        pk = ApiToken.objects.get(token_hash=ApiToken.hash(token)).pk
        self.stdout.write(f"Its id is {pk}: manage.py revoke_api_token {pk} revokes it.")
